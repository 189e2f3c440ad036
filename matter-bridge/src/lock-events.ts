import type { RemoteEvent } from '../../src/remote/messages.ts';
import { isRecord } from '../../src/remote/canonical.ts';

/**
 * What a Doorward access-log event means to a Matter lock: an unlock by whom and how, or the
 * door's contact opening or closing. Pure; the lock server turns it into LockOperation and
 * DoorStateChange events. Doorward's credential kinds map to Matter's operation sources: a face
 * is Biometric, the PIN pad is Keypad, a guest key or a phone is Remote (Matter has no "QR key").
 */
export type LockSource = 'biometric' | 'keypad' | 'remote';

export type LockHappening =
  | { readonly kind: 'unlocked'; readonly source: LockSource; readonly personId: string | null; readonly credential: 'face' | 'pin' | 'guestKey' | 'remote'; readonly byAdmin: string | null }
  | { readonly kind: 'door'; readonly open: boolean };

export function lockHappeningOf(e: RemoteEvent): LockHappening | null {
  const d = isRecord(e.detail) ? e.detail : null;
  if (e.kind === 'door' && d && (d.door === 'opened' || d.door === 'closed')) return { kind: 'door', open: d.door === 'opened' };
  if (e.kind !== 'attempt' || !d || d.outcome !== 'grant') return null;
  const credential = isRecord(d.credential) ? d.credential.kind : null;
  const via = isRecord(d.via) && typeof d.via.adminId === 'string' ? d.via.adminId : null;
  const remoteAdmin = isRecord(d.credential) && typeof d.credential.adminId === 'string' ? d.credential.adminId : null;
  switch (credential) {
    case 'face':
      return { kind: 'unlocked', source: 'biometric', personId: e.personId, credential: 'face', byAdmin: null };
    case 'pin':
      // A PIN a remote admin carried (the bridge, for a controller) was not typed at the pad.
      return { kind: 'unlocked', source: via ? 'remote' : 'keypad', personId: e.personId, credential: 'pin', byAdmin: via };
    case 'guestKey':
      return { kind: 'unlocked', source: 'remote', personId: e.personId, credential: 'guestKey', byAdmin: null };
    case 'remote':
      return { kind: 'unlocked', source: 'remote', personId: null, credential: 'remote', byAdmin: remoteAdmin };
    default:
      return null;
  }
}
