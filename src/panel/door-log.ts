// What the access log says about the door controller: one line per event the kiosk's DoorLink
// reports. Only events the board signed ever reach here (DoorController drops the rest), so a
// "door opened" line means the board said so; a link fault is logged as a critical alert.
import type { EventRecord } from '../store/db.ts';
import type { DoorLinkEvent } from './door-link.svelte.ts';

export type DoorLogEntry = Omit<EventRecord, 'id' | 'snapshotId'>;

export function doorLogEntry(e: DoorLinkEvent, at: number): DoorLogEntry {
  const door = (summary: string, detail: unknown): DoorLogEntry => ({ at, kind: 'door', personId: null, summary, detail });
  switch (e.name) {
    case 'controller': {
      // A system alert like insight's, so the phone notifies it (rule "offline") and the log shows it.
      const lost = e.value.state === 'lost';
      const text = e.value.text;
      return { at, kind: 'system', personId: null, summary: lost ? `alert controllerOffline: ${text}` : `door controller back: ${text}`, detail: { code: lost ? 'controllerOffline' : 'controllerBack', severity: lost ? 'critical' : 'info', detail: text } };
    }
    case 'linkFault':
      return { at, kind: 'system', personId: null, summary: `alert doorLinkFault: ${e.value}`, detail: { code: 'doorLinkFault', severity: 'critical', detail: e.value } };
    case 'door':
      return door(`door ${e.value}`, { door: e.value });
    case 'exitButton':
      return door('exit button pressed', { exitButton: true });
    case 'tamper':
      return door(`tamper ${e.value ? 'raised' : 'cleared'}`, { tamper: e.value });
  }
}
