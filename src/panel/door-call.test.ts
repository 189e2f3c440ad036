import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../tests/support/clock.ts';
import { fakePeers } from '../../tests/support/peer.ts';
import { DoorCall, RING_MS, type CallLogEvent } from './door-call.svelte.ts';

const STILL = new Uint8Array([0xff, 0xd8, 1, 2]);

const OFFER = 'v=0\r\no=- offer\r\n';

function setup(maxMs = 60_000) {
  const clock = new FakeClock();
  const peers = fakePeers();
  const log: CallLogEvent[] = [];
  const call = new DoorCall({ clock, makePeer: peers.makePeer, log: (e) => log.push(e), maxMs, ringMs: RING_MS });
  return { clock, peers, log, call };
}

describe('DoorCall', () => {
  it('answers a call, shows who is talking, logs start and end on hang-up', async () => {
    const { call, peers, log } = setup();
    expect(await call.start('a1', 'Ana', 'answer', OFFER)).toEqual({ sdp: 'v=0\r\no=- answer-to-answer\r\n' });
    expect(peers.made[0]?.offer).toBe(OFFER);
    expect(call.state).toEqual({ state: 'talking', adminId: 'a1', adminName: 'Ana' });
    expect(call.banner).toBe('Ana is talking');
    await call.end('a1');
    expect(call.state).toEqual({ state: 'idle' });
    expect(call.banner).toBeNull();
    expect(peers.made[0]?.closed).toBe(true);
    expect(log).toEqual([
      { kind: 'call.start', adminId: 'a1', adminName: 'Ana', mode: 'answer' },
      { kind: 'call.end', adminId: 'a1', adminName: 'Ana', mode: 'answer', why: 'hungUp' },
    ]);
  });

  it('a live view says who is watching and asks for no microphone', async () => {
    const { call, peers } = setup();
    await call.start('a1', 'Ana', 'view', OFFER);
    expect(call.banner).toBe('Ana is watching');
    expect(peers.made[0]?.media.mode).toBe('view');
  });

  it('refuses a second call while one runs, naming who is on it, and keeps the first', async () => {
    const { call, peers } = setup();
    await call.start('a1', 'Ana', 'answer', OFFER);
    expect(await call.start('b2', 'Ben', 'view', OFFER)).toEqual({ problem: 'Ana is already on a call with the panel' });
    expect(peers.made).toHaveLength(1);
    expect(call.state).toMatchObject({ state: 'talking', adminName: 'Ana' });
  });

  it('refuses a second start that arrives while the first is still being answered', async () => {
    const { call } = setup();
    const first = call.start('a1', 'Ana', 'answer', OFFER);
    expect(await call.start('b2', 'Ben', 'answer', OFFER)).toEqual({ problem: 'another call is starting on the panel' });
    expect(await first).toHaveProperty('sdp');
  });

  it('another admin cannot hang up a call that is not theirs', async () => {
    const { call } = setup();
    await call.start('a1', 'Ana', 'answer', OFFER);
    await call.end('b2');
    expect(call.state.state).toBe('talking');
  });

  it('ends when the connection fails, and logs why', async () => {
    const { call, peers, log } = setup();
    await call.start('a1', 'Ana', 'answer', OFFER);
    peers.made[0]?.drop();
    expect(call.state.state).toBe('idle');
    expect(log.at(-1)).toMatchObject({ kind: 'call.end', why: 'failed' });
  });

  it('ends after the longest call allowed, by the injected clock', async () => {
    const { call, clock, log } = setup(60_000);
    await call.start('a1', 'Ana', 'view', OFFER);
    await clock.advance(59_999);
    expect(call.state.state).toBe('watching');
    await clock.advance(1);
    expect(call.state.state).toBe('idle');
    expect(log.at(-1)).toMatchObject({ kind: 'call.end', why: 'timedOut', mode: 'view' });
  });

  it('a bad offer or no camera is a clear refusal, closes the peer, and leaves the panel free', async () => {
    const { call, peers, log } = setup();
    peers.failNext = true;
    expect(await call.start('a1', 'Ana', 'answer', OFFER)).toEqual({ problem: 'the panel could not start the call (bad offer)' });
    expect(peers.made[0]?.closed).toBe(true);
    peers.noCamera = true;
    expect(await call.start('a1', 'Ana', 'answer', OFFER)).toEqual({ problem: 'the panel could not start the call (no camera)' });
    expect(call.state.state).toBe('idle');
    expect(log).toEqual([]);
    peers.noCamera = false;
    expect(await call.start('a1', 'Ana', 'answer', OFFER)).toHaveProperty('sdp');
  });

  it('a hang-up after the call ended is harmless and logs nothing more', async () => {
    const { call, log } = setup();
    await call.start('a1', 'Ana', 'answer', OFFER);
    await call.end('a1');
    await call.end('a1');
    expect(log.filter((e) => e.kind === 'call.end')).toHaveLength(1);
  });

  describe('the ring', () => {
    it('unanswered for RING_MS, it is logged once as missed, with the picture taken when the visitor rang', async () => {
      const { call, clock, log } = setup();
      call.ring(Promise.resolve(STILL));
      call.ring(Promise.resolve(null));
      expect(call.ringing).toBe(true);
      await clock.advance(RING_MS - 1);
      expect(log).toEqual([]);
      await clock.advance(1);
      await settle();
      expect(log).toEqual([{ kind: 'ring.missed', still: STILL }]);
      expect(call.ringing).toBe(false);
      await clock.advance(RING_MS);
      expect(log).toHaveLength(1);
    });

    it('a picture that could not be taken still leaves the missed ring in the log', async () => {
      const { call, clock, log } = setup();
      call.ring(Promise.reject(new Error('no camera')));
      await clock.advance(RING_MS);
      await settle();
      expect(log).toEqual([{ kind: 'ring.missed', still: null }]);
    });

    it('answered, it is not missed; a live view alone does not answer it', async () => {
      const { call, clock, log } = setup(10 * RING_MS);
      call.ring(Promise.resolve(STILL));
      await call.start('a1', 'Ana', 'view', OFFER);
      expect(call.ringing).toBe(true);
      await call.end('a1');
      await call.start('b2', 'Ben', 'answer', OFFER);
      expect(call.ringing).toBe(false);
      await clock.advance(2 * RING_MS);
      expect(log.map((e) => e.kind)).toEqual(['call.start', 'call.end', 'call.start']);
    });

    it('declined, it is logged once with who declined and is not missed; a decline with no ring waiting logs nothing', async () => {
      const { call, clock, log } = setup();
      call.decline('a1', 'Ana');
      expect(log).toEqual([]);
      call.ring(Promise.resolve(STILL));
      call.decline('a1', 'Ana');
      call.decline('b2', 'Ben');
      await clock.advance(2 * RING_MS);
      expect(log).toEqual([{ kind: 'ring.declined', adminId: 'a1', adminName: 'Ana' }]);
    });

    it('a ring while someone is already talking to the door waits for nobody', async () => {
      const { call, clock, log } = setup(10 * RING_MS);
      await call.start('a1', 'Ana', 'answer', OFFER);
      call.ring(Promise.resolve(STILL));
      expect(call.ringing).toBe(false);
      await clock.advance(2 * RING_MS);
      expect(log.map((e) => e.kind)).toEqual(['call.start']);
    });

    it('the kiosk stopping drops a waiting ring without calling it missed', async () => {
      const { call, clock, log } = setup();
      call.ring(Promise.resolve(STILL));
      call.stop();
      await clock.advance(2 * RING_MS);
      expect(log).toEqual([]);
    });
  });
});
