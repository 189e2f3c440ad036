import { describe, expect, it } from 'vitest';
import { notificationFor } from './push-message.ts';

describe('a push message from the hub, as the service worker shows it', () => {
  it("shows the hub's alert: the door in the title, critical ones kept until seen, a tag per door and alert", () => {
    const n = notificationFor(JSON.stringify({ title: 'Back door: Door forced open', body: 'The door opened without a grant', tag: 'panel-2/forced', severity: 'critical', door: 'Back door', panelId: 'panel-2', at: 1_700_000_000_000 }));
    expect(n).toEqual({ title: 'Back door: Door forced open', options: { body: 'The door opened without a grant', tag: 'panel-2/forced', requireInteraction: true, timestamp: 1_700_000_000_000, data: { url: '/#/remote' } } });
    expect(notificationFor(JSON.stringify({ title: 'Front door: Someone rang the doorbell', body: 'Ring', tag: 't', severity: 'info', at: 5 })).options.requireInteraction).toBe(false);
  });

  it('shows a generic notification for a message that is empty, not JSON or of the wrong shape, and cuts long text', () => {
    const generic = { title: 'Doorward: an alert at a door', options: { body: 'Open the app to see it.', tag: 'doorward-hub', requireInteraction: false, data: { url: '/#/remote' } } };
    for (const d of [null, '', 'not json', '[1,2]', '{"title":42,"body":"x"}', '{"title":""}']) expect(notificationFor(d)).toEqual(generic);
    const long = notificationFor(JSON.stringify({ title: 'x'.repeat(500), body: 'y'.repeat(5000), at: -1 }));
    expect([long.title.length, long.options.body.length, 'timestamp' in long.options]).toEqual([120, 300, false]);
  });
});
