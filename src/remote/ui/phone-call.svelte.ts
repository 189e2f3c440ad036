// The phone's side of a doorbell call: ringing when a fresh bell event arrives, then one
// non-trickle WebRTC offer sent as `call.start` over the signed, sealed command channel.
import { endsCallOf, endsRing, isBellEvent } from '../../panel/bell.ts';
import { eventWords } from '../../lib/words/event-words.ts';
import { say } from '../../lib/words/index.ts';
import { formatTime } from '../../lib/words/format.ts';
import type { CallMode } from '../command.ts';
import type { RemoteEvent } from '../messages.ts';
import { refusalText } from '../replies.ts';
import type { PhoneRemote } from '../phone-remote.ts';
import { iceGathered } from '../../panel/door-call.svelte.ts';
import { iceServersOf, type IceServer } from '../../panel/call-relay.ts';

/** A bell heard later than this (the phone was asleep, the outbox caught up) does not ring. */
export const RING_FRESH_MS = 60_000;
/** How long a call waits to learn the door's TURN server before it tries the home network alone. */
const RELAY_ASK_MS = 3_000;

export type PhoneCallView =
  | { readonly state: 'idle' }
  | { readonly state: 'ringing'; readonly at: number }
  | { readonly state: 'connecting'; readonly mode: CallMode }
  | { readonly state: 'inCall'; readonly mode: CallMode }
  | { readonly state: 'ended'; readonly text: string };

export const ringsNow = (e: Pick<RemoteEvent, 'kind' | 'detail' | 'at'>, now: number): boolean => isBellEvent(e) && now - e.at < RING_FRESH_MS && e.at <= now + RING_FRESH_MS;

/** Panel and phone clocks differ; a call-end line older than the call by more than this is an earlier call's. */
const CLOCK_SLACK_MS = 30_000;

/**
 * What a panel's log line does to this phone's call screen: a fresh bell rings it; the line that
 * ends a ring (another admin answered or declined, or nobody did) stops it; the panel ending this
 * admin's call by itself (time limit, lost connection) closes the call screen.
 */
export function callReaction(e: RemoteEvent, view: PhoneCallView, o: { readonly now: number; readonly me: string | null; readonly callSince: number }): 'ring' | 'ringOver' | 'endedByPanel' | null {
  if (view.state === 'idle' || view.state === 'ended') return ringsNow(e, o.now) ? 'ring' : null;
  if (view.state === 'ringing') return endsRing(e) && e.at >= view.at ? 'ringOver' : null;
  return view.state === 'inCall' && o.me !== null && endsCallOf(e, o.me) && e.at >= o.callSince - CLOCK_SLACK_MS ? 'endedByPanel' : null;
}

export class PhoneCall {
  #view = $state<PhoneCallView>({ state: 'idle' });
  #stream = $state.raw<MediaStream | null>(null);
  readonly #remote: PhoneRemote;
  readonly #now: () => number;
  #pc: RTCPeerConnection | null = null;
  #mic: MediaStream | null = null;
  #callSince = 0;
  #ringTimer: ReturnType<typeof setTimeout> | null = null;
  #relay: Promise<IceServer[]> | null = null;

  constructor(remote: PhoneRemote, now: () => number = Date.now) {
    this.#remote = remote;
    this.#now = now;
  }

  get view(): PhoneCallView {
    return this.#view;
  }
  /** The panel's camera and voice, for the call screen's video element. */
  get stream(): MediaStream | null {
    return this.#stream;
  }

  /** Follows the panel's log (see callReaction); the returned function stops listening and hangs up. */
  follow(): () => void {
    const off = this.#remote.onEvent((e) => {
      switch (callReaction(e, this.#view, { now: this.#now(), me: this.#remote.adminId, callSince: this.#callSince })) {
        case 'ring':
          return this.#ringFor(e.at);
        case 'ringOver':
          return this.#stopRinging(eventWords(e, say));
        case 'endedByPanel':
          return this.#close(say('call.endedByPanel'));
      }
    });
    return () => {
      off();
      this.#stopRinging(null);
      void this.hangUp();
    };
  }

  /** Rings until the ring is RING_FRESH_MS old, even if the line that ends it never comes (the broker went away). */
  #ringFor(at: number): void {
    this.#view = { state: 'ringing', at };
    void this.#iceServers();
    if (this.#ringTimer !== null) clearTimeout(this.#ringTimer);
    this.#ringTimer = setTimeout(() => this.#stopRinging(say('call.missed', { time: formatTime(at) })), Math.max(0, at + RING_FRESH_MS - this.#now()));
  }

  /**
   * The door's TURN server (Settings, "Call relay"), asked for as the bell rings so answering does
   * not wait on it, and again for each call, so a changed relay applies. None (host candidates,
   * enough at home) when the door does not say in time.
   */
  #iceServers(): Promise<IceServer[]> {
    this.#relay ??= Promise.race([
      this.#remote.send({ op: 'settings.get' }).then((r) => (r.ok ? iceServersOf(r.result.callRelay) : []), () => []),
      new Promise<IceServer[]>((resolve) => setTimeout(() => resolve([]), RELAY_ASK_MS)),
    ]);
    return this.#relay;
  }

  #stopRinging(text: string | null): void {
    if (this.#ringTimer !== null) clearTimeout(this.#ringTimer);
    this.#ringTimer = null;
    if (this.#view.state === 'ringing') this.#view = text === null ? { state: 'idle' } : { state: 'ended', text };
  }

  /** "I can't come": stops ringing here, and the panel tells every other phone (and logs who). */
  decline(): void {
    if (this.#view.state !== 'ringing') return;
    this.#stopRinging(null);
    void this.#remote.send({ op: 'call.decline' }).catch(() => undefined);
  }

  async start(mode: CallMode): Promise<void> {
    if (this.#view.state === 'connecting' || this.#view.state === 'inCall') return;
    this.#stopRinging(null);
    this.#callSince = this.#now();
    this.#view = { state: 'connecting', mode };
    try {
      const iceServers = await this.#iceServers();
      this.#relay = null;
      const pc = new RTCPeerConnection({ iceServers });
      this.#pc = pc;
      window.__doorwardCall = pc;
      pc.addTransceiver('video', { direction: 'recvonly' });
      if (mode === 'answer') {
        this.#mic = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
        for (const t of this.#mic.getAudioTracks()) pc.addTransceiver(t, { direction: 'sendrecv' });
      } else pc.addTransceiver('audio', { direction: 'recvonly' });
      const remoteStream = new MediaStream();
      pc.ontrack = (e) => {
        remoteStream.addTrack(e.track);
        this.#stream = null;
        this.#stream = remoteStream;
      };
      pc.onconnectionstatechange = () => {
        if (pc.connectionState === 'failed' && this.#pc === pc) this.#close(say('phone.call.lost'));
      };
      await pc.setLocalDescription(await pc.createOffer());
      await iceGathered(pc, 5_000);
      const sdp = pc.localDescription?.sdp;
      if (!sdp) throw new Error('no offer');
      const r = await this.#remote.send({ op: 'call.start', sdp, mode });
      if (this.#pc !== pc) return;
      if (!r.ok) return this.#close(say('phone.call.notTaken', { reason: refusalText(r) }));
      await pc.setRemoteDescription({ type: 'answer', sdp: r.result.sdp });
      this.#view = { state: 'inCall', mode };
    } catch (e) {
      this.#close(say('phone.call.couldNotStart', { reason: e instanceof Error ? e.message : String(e) }));
    }
  }

  async hangUp(): Promise<void> {
    if (!this.#pc) return;
    this.#close(say('phone.call.ended'));
    await this.#remote.send({ op: 'call.end' }).catch(() => undefined);
  }

  #close(text: string): void {
    for (const t of this.#mic?.getTracks() ?? []) t.stop();
    this.#mic = null;
    this.#pc?.close();
    if (window.__doorwardCall === this.#pc) delete window.__doorwardCall;
    this.#pc = null;
    this.#stream = null;
    this.#view = { state: 'ended', text };
  }
}
