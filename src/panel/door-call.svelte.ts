// The kiosk's side of a doorbell call: one call at a time, who is on it, and when it ends. The
// WebRTC peer connection sits behind CallPeer so this logic is tested with a fake
// (tests/support/peer.ts); browserPeer below is the real one.
import type { Clock, TimerHandle } from '../platform/clock.ts';

export type CallMode = 'answer' | 'view';

export type CallState =
  | { readonly state: 'idle' }
  | { readonly state: 'talking'; readonly adminId: string; readonly adminName: string }
  | { readonly state: 'watching'; readonly adminId: string; readonly adminName: string };

/** One peer connection as the call needs it: answer an offer once, hear when it fails, close. */
export interface CallPeer {
  /** Sets the remote offer, answers with the local media, waits for ICE gathering; the full answer SDP. */
  answer(offerSdp: string): Promise<string>;
  /** Called once if the connection fails or closes from the far side. */
  onEnded(cb: () => void): void;
  close(): void;
}

export interface CallMedia {
  /** The kiosk camera's video (a clone) and, for mode 'answer', the microphone. */
  readonly mode: CallMode;
}

export type CallLogEvent =
  | { readonly kind: 'call.start' | 'call.end'; readonly adminId: string; readonly adminName: string; readonly mode: CallMode; readonly why?: CallEndReason }
  /** An admin pressed Decline: nobody else's phone needs to keep ringing. */
  | { readonly kind: 'ring.declined'; readonly adminId: string; readonly adminName: string }
  /** Nobody answered or declined in time: logged with the still taken when the visitor rang. */
  | { readonly kind: 'ring.missed'; readonly still: Uint8Array | null };
export type CallEndReason = 'hungUp' | 'failed' | 'timedOut';

export interface DoorCallDeps {
  readonly clock: Clock;
  /** Makes a peer for one call, media attached; may throw (no camera, no microphone). */
  makePeer(media: CallMedia): Promise<CallPeer>;
  log(e: CallLogEvent): void;
  /** A call is ended after this long, so a forgotten phone cannot keep watching. */
  readonly maxMs?: number;
  /** A ring nobody answers or declines within this is missed. */
  readonly ringMs?: number;
}

export const DEFAULT_CALL_MAX_MS = 10 * 60_000;
/** As long as a phone keeps ringing (phone-call.svelte.ts RING_FRESH_MS): past it the ring is missed. */
export const RING_MS = 60_000;

export class DoorCall {
  #state = $state<CallState>({ state: 'idle' });
  readonly #deps: DoorCallDeps;
  #peer: CallPeer | null = null;
  #mode: CallMode = 'answer';
  #timer: TimerHandle | null = null;
  /** Set while a start is between checks and the answer, so a second start cannot slip in. */
  #starting = false;
  /** The ring waiting for an answer: the timer that calls it missed. */
  #ring: { readonly timer: TimerHandle } | null = null;

  constructor(deps: DoorCallDeps) {
    this.#deps = deps;
  }

  get state(): CallState {
    return this.#state;
  }

  /** The kiosk's line: "<name> is talking" / "<name> is watching"; null when idle. */
  get banner(): string | null {
    const s = this.#state;
    return s.state === 'idle' ? null : `${s.adminName} is ${s.state}`;
  }

  /**
   * The visitor rang: missed unless an admin answers or declines within RING_MS; `still` is the
   * camera's picture of them, being taken. A second press while the first rings is the same ring.
   */
  ring(still: Promise<Uint8Array | null>): void {
    if (this.#ring || this.#state.state === 'talking') return;
    const timer = this.#deps.clock.setTimeout(() => {
      this.#ring = null;
      void still.catch(() => null).then((jpeg) => this.#deps.log({ kind: 'ring.missed', still: jpeg }));
    }, this.#deps.ringMs ?? RING_MS);
    this.#ring = { timer };
  }

  /** Whether a ring is waiting for an answer. */
  get ringing(): boolean {
    return this.#ring !== null;
  }

  /** An admin's Decline: logged once per ring; one without a ring waiting is ignored. */
  decline(adminId: string, adminName: string): void {
    if (!this.#endRing()) return;
    this.#deps.log({ kind: 'ring.declined', adminId, adminName });
  }

  #endRing(): boolean {
    if (!this.#ring) return false;
    this.#deps.clock.clearTimeout(this.#ring.timer);
    this.#ring = null;
    return true;
  }

  async start(adminId: string, adminName: string, mode: CallMode, offerSdp: string): Promise<{ readonly sdp: string } | { readonly problem: string }> {
    const s = this.#state;
    if (s.state !== 'idle' || this.#starting) return { problem: s.state === 'idle' ? 'another call is starting on the panel' : `${s.adminName} is already on a call with the panel` };
    this.#starting = true;
    let peer: CallPeer | null = null;
    try {
      peer = await this.#deps.makePeer({ mode });
      const sdp = await peer.answer(offerSdp);
      this.#peer = peer;
      this.#mode = mode;
      this.#state = { state: mode === 'answer' ? 'talking' : 'watching', adminId, adminName };
      peer.onEnded(() => {
        if (this.#peer === peer) this.#finish('failed');
      });
      this.#timer = this.#deps.clock.setTimeout(() => this.#finish('timedOut'), this.#deps.maxMs ?? DEFAULT_CALL_MAX_MS);
      // Answered: the ring is over. A live view is only a look, so the ring still waits for an answer.
      if (mode === 'answer') this.#endRing();
      this.#deps.log({ kind: 'call.start', adminId, adminName, mode });
      return { sdp };
    } catch (e) {
      peer?.close();
      return { problem: `the panel could not start the call (${e instanceof Error ? e.message.slice(0, 120) : 'unknown error'})` };
    } finally {
      this.#starting = false;
    }
  }

  /** Hangs up the caller's own call; another admin's call is left alone. */
  async end(adminId: string): Promise<void> {
    const s = this.#state;
    if (s.state !== 'idle' && s.adminId === adminId) this.#finish('hungUp');
  }

  #finish(why: CallEndReason): void {
    const s = this.#state;
    if (s.state === 'idle') return;
    if (this.#timer !== null) this.#deps.clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#peer?.close();
    this.#peer = null;
    this.#state = { state: 'idle' };
    this.#deps.log({ kind: 'call.end', adminId: s.adminId, adminName: s.adminName, mode: this.#mode, why });
  }

  /** Ends any call (the kiosk page leaving); a ring then waiting is dropped, not logged as missed. */
  stop(): void {
    this.#endRing();
    this.#finish('hungUp');
  }
}

/** Tests read the live connection here (e2e getStats); nothing in the app reads it. */
declare global {
  interface Window {
    __doorwardCall?: RTCPeerConnection;
  }
}

/**
 * The real peer: the kiosk camera's stream cloned (the vision pipeline keeps its own), a
 * microphone only when answering, the phone's audio played through `speaker`. Non-trickle: the
 * answer is sent once ICE gathering is complete. `iceServers` is read at each call, so a TURN
 * server set in Settings applies to the next one.
 */
export function browserPeer(camera: () => MediaStream | null, speaker: HTMLAudioElement, iceServers: () => RTCIceServer[] = () => []) {
  return async (media: CallMedia): Promise<CallPeer> => {
    const video = camera()?.getVideoTracks()[0]?.clone();
    if (!video) throw new Error('no camera');
    const tracks: MediaStreamTrack[] = [video];
    if (media.mode === 'answer') {
      const mic = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      tracks.push(...mic.getAudioTracks());
    }
    const pc = new RTCPeerConnection({ iceServers: iceServers() });
    const stream = new MediaStream(tracks);
    for (const t of tracks) pc.addTrack(t, stream);
    pc.ontrack = (e) => {
      if (e.track.kind === 'audio') {
        speaker.srcObject = e.streams[0] ?? new MediaStream([e.track]);
        void speaker.play().catch(() => undefined);
      }
    };
    let ended: (() => void) | null = null;
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') ended?.();
    };
    window.__doorwardCall = pc;
    const close = () => {
      for (const t of tracks) t.stop();
      speaker.srcObject = null;
      pc.close();
      if (window.__doorwardCall === pc) delete window.__doorwardCall;
    };
    return {
      async answer(offerSdp) {
        try {
          await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
          await pc.setLocalDescription(await pc.createAnswer());
          await iceGathered(pc, 5_000);
          const sdp = pc.localDescription?.sdp;
          if (!sdp) throw new Error('no answer');
          return sdp;
        } catch (e) {
          close();
          throw e;
        }
      },
      onEnded(cb) {
        ended = cb;
      },
      close,
    };
  };
}

/** Resolves when gathering completes, or after `ms` with what was gathered (host candidates come first). */
export function iceGathered(pc: RTCPeerConnection, ms: number): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const t = setTimeout(done, ms);
    pc.addEventListener('icegatheringstatechange', check);
  });
}
