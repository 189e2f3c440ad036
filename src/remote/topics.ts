/**
 * The topic scheme. Everything for one panel lives under `doorward/<panelId>/`; the broker's ACLs
 * can then give each panel and each admin exactly their subtree (see README). Topic names are the
 * only thing the broker learns besides sizes and timing.
 *
 *   state            retained, signed + encrypted to admins: door, last visitor; the heartbeat (short expiry)
 *   config           retained, signed, public: panel keys, admin ids and roles, versions
 *   events           signed + encrypted: the access log as it happens (QoS 1, de-dup by id)
 *   cmd/<adminId>    signed (+ encrypted body) admin commands; never retained, expire in MQTT 5
 *   reply/<adminId>  signed + encrypted replies to one admin
 *   pair             pairing requests from phones (encrypted to the panel)
 *   lwt              retained "online" / "offline", unsigned: the panel's last will; HA availability,
 *                    and to phones only a reason to ask the panel (they go by the signed state)
 *   ha/...           only with Home Assistant opted in: plain, because HA cannot decrypt
 */
export const ROOT = 'doorward';

/** Ids are base64url (thumbprints) so they cannot carry MQTT wildcards or separators. */
const ID = /^[A-Za-z0-9_-]{1,64}$/;
export const isTopicId = (id: string): boolean => ID.test(id);

function assertId(id: string): string {
  if (!isTopicId(id)) throw new Error(`not a topic-safe id: ${JSON.stringify(id)}`);
  return id;
}

export interface Topics {
  readonly state: string;
  readonly config: string;
  readonly events: string;
  readonly pair: string;
  readonly lwt: string;
  readonly cmdAll: string;
  cmd(adminId: string): string;
  reply(adminId: string): string;
  readonly haLockSet: string;
  readonly haLockState: string;
  readonly haDoor: string;
  readonly haLastVisitor: string;
}

export function topics(panelId: string): Topics {
  const base = `${ROOT}/${assertId(panelId)}`;
  return {
    state: `${base}/state`,
    config: `${base}/config`,
    events: `${base}/events`,
    pair: `${base}/pair`,
    lwt: `${base}/lwt`,
    cmdAll: `${base}/cmd/+`,
    cmd: (adminId) => `${base}/cmd/${assertId(adminId)}`,
    reply: (adminId) => `${base}/reply/${assertId(adminId)}`,
    haLockSet: `${base}/ha/lock/set`,
    haLockState: `${base}/ha/lock/state`,
    haDoor: `${base}/ha/door`,
    haLastVisitor: `${base}/ha/last_visitor`,
  };
}

export type ParsedTopic =
  | { readonly kind: 'state' | 'config' | 'events' | 'pair' | 'lwt'; readonly panelId: string }
  | { readonly kind: 'cmd' | 'reply'; readonly panelId: string; readonly adminId: string }
  | { readonly kind: 'haLockSet'; readonly panelId: string };

/** Null for anything not exactly one of ours. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts[0] !== ROOT) return null;
  const panelId = parts[1];
  if (panelId === undefined || !isTopicId(panelId)) return null;
  const [, , a, b, c] = parts;
  if (parts.length === 3 && (a === 'state' || a === 'config' || a === 'events' || a === 'pair' || a === 'lwt')) return { kind: a, panelId };
  if (parts.length === 4 && (a === 'cmd' || a === 'reply') && b !== undefined && isTopicId(b)) return { kind: a, panelId, adminId: b };
  if (parts.length === 5 && a === 'ha' && b === 'lock' && c === 'set') return { kind: 'haLockSet', panelId };
  return null;
}
