// The WebRTC peer connection, faked once: answers any offer, can be made to fail or to drop.
import type { CallMedia, CallPeer } from '../../src/panel/door-call.svelte.ts';

export class FakePeer implements CallPeer {
  closed = false;
  offer: string | null = null;
  #ended: (() => void) | null = null;
  constructor(
    readonly media: CallMedia,
    readonly failAnswer = false,
  ) {}
  async answer(offerSdp: string): Promise<string> {
    this.offer = offerSdp;
    if (this.failAnswer) throw new Error('bad offer');
    return `v=0\r\no=- answer-to-${this.media.mode}\r\n`;
  }
  onEnded(cb: () => void): void {
    this.#ended = cb;
  }
  /** The far side went away (ICE failed, phone closed). */
  drop(): void {
    this.#ended?.();
  }
  close(): void {
    this.closed = true;
  }
}

/** A makePeer that records every peer it made; `failNext` makes the next answer throw. */
export function fakePeers() {
  const made: FakePeer[] = [];
  const ctl = {
    made,
    failNext: false,
    noCamera: false,
    async makePeer(media: CallMedia): Promise<CallPeer> {
      if (ctl.noCamera) throw new Error('no camera');
      const p = new FakePeer(media, ctl.failNext);
      ctl.failNext = false;
      made.push(p);
      return p;
    },
  };
  return ctl;
}
