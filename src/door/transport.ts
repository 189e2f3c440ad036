// The door driver's byte link. Everything in src/door talks to this interface (and to the
// platform Clock), so the same controller runs over Web Serial, the
// simulator, or a TCP socket into QEMU.

export type TransportKind = 'serial' | 'simulator' | 'tcp';

/** A link that can tell when its device has gone (Web Serial) says so, rather than leaving the
 * controller to find out from unanswered heartbeats. */
export type LinkChange = { readonly up: true } | { readonly up: false; readonly reason: string };

export interface ByteTransport {
  readonly kind: TransportKind;
  /** Resolves once the bytes are handed to the link (not when the far end has them). */
  write(bytes: Uint8Array): Promise<void>;
  /** Subscribes to received bytes; returns the unsubscribe function. */
  onBytes(cb: (bytes: Uint8Array) => void): () => void;
  close(): Promise<void>;
  /** Optional: subscribes to the link going down and coming back; returns the unsubscribe. */
  onLinkChange?(cb: (change: LinkChange) => void): () => void;
}
