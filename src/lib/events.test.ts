import { describe, expect, it, vi } from 'vitest';
import { Events } from './events.ts';

type Map = { door: 'opened' | 'closed'; tamper: boolean };

describe('Events: a typed event map', () => {
  it('delivers each event to the listeners of its name only, until they unsubscribe', () => {
    const events = new Events<Map>();
    const doors: string[] = [];
    const tampers: boolean[] = [];
    const off = events.on('door', (d) => doors.push(d));
    events.on('tamper', (t) => tampers.push(t));
    events.emit('door', 'opened');
    events.emit('tamper', true);
    off();
    events.emit('door', 'closed');
    expect(doors).toEqual(['opened']);
    expect(tampers).toEqual([true]);
  });

  it('a listener to every event hears each one, named, in order', () => {
    const events = new Events<Map>();
    const heard: unknown[] = [];
    events.onEvery((e) => heard.push(e));
    events.emit('tamper', false);
    events.emit('door', 'opened');
    expect(heard).toEqual([
      { name: 'tamper', value: false },
      { name: 'door', value: 'opened' },
    ]);
  });

  it('a listener that throws does not stop the next one, and the emitter carries on', () => {
    const events = new Events<Map>();
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const heard: string[] = [];
    events.on('door', () => {
      throw new Error('broken screen');
    });
    events.on('door', (d) => heard.push(d));
    expect(() => events.emit('door', 'closed')).not.toThrow();
    expect(heard).toEqual(['closed']);
    expect(error).toHaveBeenCalledOnce();
    error.mockRestore();
  });
});
