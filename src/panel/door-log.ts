// What the access log says about the door controller: one line per event the kiosk's DoorLink
// reports. Only events the board signed ever reach here (DoorController drops the rest), so a
// "door opened" line means the board said so; a link fault is logged as a critical alert.
import type { EventRecord } from '../store/db.ts';
import type { DoorLinkEvent } from './door-link.svelte.ts';

export type DoorLogEntry = Omit<EventRecord, 'id' | 'snapshotId'>;

export function doorLogEntry(e: DoorLinkEvent, at: number): DoorLogEntry {
  if ('controller' in e) {
    // A system alert like insight's, so the phone notifies it (rule "offline") and the log shows it.
    const lost = e.controller === 'lost';
    return { at, kind: 'system', personId: null, summary: lost ? `alert controllerOffline: ${e.text}` : `door controller back: ${e.text}`, detail: { code: lost ? 'controllerOffline' : 'controllerBack', severity: lost ? 'critical' : 'info', detail: e.text } };
  }
  if ('linkFault' in e) {
    return { at, kind: 'system', personId: null, summary: `alert doorLinkFault: ${e.linkFault}`, detail: { code: 'doorLinkFault', severity: 'critical', detail: e.linkFault } };
  }
  return { at, kind: 'door', personId: null, summary: 'door' in e ? `door ${e.door}` : 'exitButton' in e ? 'exit button pressed' : `tamper ${e.tamper ? 'raised' : 'cleared'}`, detail: e };
}
