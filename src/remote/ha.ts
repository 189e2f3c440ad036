import { isRecord, parseJsonObject } from './canonical.ts';
import type { Topics } from './topics.ts';

/**
 * Home Assistant MQTT discovery, opt-in. HA cannot decrypt, so everything under `ha/` is plain:
 * the door's open/closed state, lock state and the last visitor's name reach the broker in
 * clear, which is why it is off until an owner turns it on. The lock's unlock carries a code
 * that the panel checks against a stored hash (HA passes it in the command template); the
 * panel never acts on a retained HA command and backs off after wrong codes.
 */
export const HA_DISCOVERY_PREFIX = 'homeassistant';
export const HA_STATUS_TOPIC = 'homeassistant/status';

export interface DiscoveryMessage {
  readonly topic: string;
  /** Empty string: remove the entity (sent when Home Assistant is switched off again). */
  readonly payload: string;
}

function device(panelId: string, siteName: string) {
  return { identifiers: [`doorward_${panelId}`], name: siteName, manufacturer: 'Doorward', model: 'Browser door panel' };
}

function availability(t: Topics) {
  return { availability_topic: t.lwt, payload_available: 'online', payload_not_available: 'offline' };
}

export function discoveryMessages(panelId: string, t: Topics, siteName = 'Doorward door', prefix = HA_DISCOVERY_PREFIX): DiscoveryMessage[] {
  const node = `doorward_${panelId}`;
  const lock = {
    name: 'Lock',
    unique_id: `${node}_lock`,
    command_topic: t.haLockSet,
    state_topic: t.haLockState,
    // HA substitutes the code typed in its UI; the panel verifies it (code_format makes HA ask).
    command_template: '{"action":"{{ value }}","code":"{{ code }}"}',
    code_format: '^\\d{4,12}$',
    payload_lock: 'LOCK',
    payload_unlock: 'UNLOCK',
    state_locked: 'LOCKED',
    state_unlocked: 'UNLOCKED',
    optimistic: false,
    qos: 1,
    retain: false,
    ...availability(t),
    device: device(panelId, siteName),
  };
  const door = {
    name: 'Door',
    unique_id: `${node}_door`,
    device_class: 'door',
    state_topic: t.haDoor,
    payload_on: 'open',
    payload_off: 'closed',
    ...availability(t),
    device: device(panelId, siteName),
  };
  const visitor = {
    name: 'Last visitor',
    unique_id: `${node}_last_visitor`,
    icon: 'mdi:account-clock',
    state_topic: t.haLastVisitor,
    value_template: '{{ value_json.name }}',
    json_attributes_topic: t.haLastVisitor,
    ...availability(t),
    device: device(panelId, siteName),
  };
  return [
    { topic: `${prefix}/lock/${node}/lock/config`, payload: JSON.stringify(lock) },
    { topic: `${prefix}/binary_sensor/${node}/door/config`, payload: JSON.stringify(door) },
    { topic: `${prefix}/sensor/${node}/last_visitor/config`, payload: JSON.stringify(visitor) },
  ];
}

export function removalMessages(panelId: string, t: Topics, prefix = HA_DISCOVERY_PREFIX): DiscoveryMessage[] {
  return discoveryMessages(panelId, t, undefined, prefix).map((m) => ({ topic: m.topic, payload: '' }));
}

export interface HaState {
  readonly lock: 'LOCKED' | 'UNLOCKED';
  readonly door: 'open' | 'closed';
  readonly lastVisitor: { readonly name: string; readonly outcome: string; readonly at: string } | null;
}

export function haStateMessages(t: Topics, s: HaState): DiscoveryMessage[] {
  return [
    { topic: t.haLockState, payload: s.lock },
    { topic: t.haDoor, payload: s.door },
    { topic: t.haLastVisitor, payload: JSON.stringify(s.lastVisitor ?? { name: 'none', outcome: 'none', at: '' }) },
  ];
}

export type HaLockCommand = { readonly action: 'LOCK' } | { readonly action: 'UNLOCK'; readonly code: string };

export function parseHaLockCommand(payload: Uint8Array): HaLockCommand | null {
  const o = parseJsonObject(payload, 512);
  if (!o || !isRecord(o)) return null;
  if (o.action === 'LOCK') return { action: 'LOCK' };
  if (o.action === 'UNLOCK' && typeof o.code === 'string' && /^\d{4,12}$/.test(o.code)) return { action: 'UNLOCK', code: o.code };
  return null;
}
