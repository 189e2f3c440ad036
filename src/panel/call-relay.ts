import type { Say } from '../lib/words/index.ts';
import { english } from '../lib/words/english.ts';

/**
 * The TURN server doorbell calls may relay through, for phones away from home (RFC 7065 URI,
 * RFC 8656 long-term credentials). On the home network host candidates suffice and none is set:
 * the panel then asks nothing of any other machine. Set by the owner only (a relay learns who
 * calls the door and when, though DTLS-SRTP keeps it from the media itself).
 */
export interface CallRelay {
  /** `turn:` or `turns:` host, optional port and transport: "turn:turn.example.net:3478?transport=udp". */
  readonly url: string;
  readonly username: string;
  readonly credential: string;
}

/** What RTCPeerConnection takes; declared here so the Node runtimes can check it without the DOM types. */
export interface IceServer {
  readonly urls: string;
  readonly username: string;
  readonly credential: string;
}

export const CALL_RELAY_BOUNDS = { url: 253 + 20, login: 256 } as const;

// A reg-name or IPv4 address, or a bracketed IPv6 literal; a port 1-65535; udp or tcp.
const TURN_URI = /^turns?:(?:\[[0-9a-f:.]{2,45}\]|[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)(?::(\d{1,5}))?(?:\?transport=(?:udp|tcp))?$/i;
const CONTROL = /[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/**
 * What is wrong with a relay as typed or received, in words (English unless a screen hands in its
 * `say`), or null when it may be stored. null itself is "none".
 */
export function callRelayProblem(v: unknown, say: Say = english): string | null {
  if (v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v) || Object.keys(v).some((k) => k !== 'url' && k !== 'username' && k !== 'credential')) return say('problem.relay.shape');
  const { url, username, credential } = v as Record<string, unknown>;
  if (typeof url !== 'string' || url.length > CALL_RELAY_BOUNDS.url) return say('problem.relay.urlLong');
  const uri = TURN_URI.exec(url);
  if (!uri) return say('problem.relay.url');
  if (uri[1] !== undefined && (Number(uri[1]) < 1 || Number(uri[1]) > 65_535)) return say('problem.relay.port');
  const max = String(CALL_RELAY_BOUNDS.login);
  for (const [what, s] of [['username', username], ['password', credential]] as const) {
    if (typeof s !== 'string' || s.length === 0) return say(`problem.relay.${what}Missing`);
    if (s.length > CALL_RELAY_BOUNDS.login) return say(`problem.relay.${what}Long`, { max });
    if (CONTROL.test(s)) return say(`problem.relay.${what}Control`);
  }
  return null;
}

/** A checked copy holding only the three fields (an object passed the check, so the casts hold). */
export function callRelayOf(v: CallRelay | null): CallRelay | null {
  return v === null ? null : { url: v.url, username: v.username, credential: v.credential };
}

/** A relay from a form's three fields: no address is no relay, whatever else was typed. */
export function callRelayFromFields(url: string, username: string, credential: string): CallRelay | null {
  return url.trim() === '' ? null : { url: url.trim(), username, credential };
}

/** A stored relay read back: a damaged record gives none, never a half-read server. */
export function storedCallRelay(v: unknown): CallRelay | null {
  return v !== undefined && callRelayProblem(v) === null ? callRelayOf(v as CallRelay | null) : null;
}

export const iceServersOf = (r: CallRelay | null): IceServer[] => (r ? [{ urls: r.url, username: r.username, credential: r.credential }] : []);

export const sameCallRelay = (a: CallRelay | null, b: CallRelay | null): boolean => a === b || (a !== null && b !== null && a.url === b.url && a.username === b.username && a.credential === b.credential);

/**
 * The relay as the access log and the phones may see it: address and username, never the
 * password (the log travels to every paired phone and into exports). A new password alone is
 * still a visible change.
 */
export function callRelayText(r: CallRelay | null, before?: CallRelay | null): string | null {
  if (r === null) return null;
  const text = `${r.url} as ${r.username}`;
  return before && before.url === r.url && before.username === r.username && before.credential !== r.credential ? `${text}, new password` : text;
}
