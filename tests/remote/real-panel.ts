// The panel's real services in Node, over the boundary fakes: panelActions (what a remote command
// may do) with the real Gatekeeper (PIN checks, the pad's back-off, decisions, the log), the real
// PeopleAdmin (PIN hashing and uniqueness), GuestKeyBook and Prefs; only storage (tests/support/idb.ts)
// and the door (a relay and a contact in memory) are stand-ins. For tests that need a panel that
// decides as the kiosk does (the Matter bridge's), where FakePanelActions only records.
import { panelActions } from '../../src/panel/panel-actions.ts';
import { Gatekeeper, type DoorPort } from '../../src/panel/gatekeeper.ts';
import { GuestKeyBook } from '../../src/panel/guest-keys.ts';
import { Prefs } from '../../src/panel/prefs.svelte.ts';
import { doorLogEntry } from '../../src/panel/door-log.ts';
import { PeopleAdmin } from '../../src/people/people-admin.svelte.ts';
import { personErasure } from '../../src/people/erasure.ts';
import { MatterStatus } from '../../src/panel/matter-status.svelte.ts';
import type { DoorState, FaceEvidence } from '../../src/access/types.ts';
import type { Clock } from '../../src/platform/clock.ts';
import type { RemotePanelActions } from '../../src/remote/ports.ts';
import { MemoryPeopleRepo, MemorySettings, memoryEventLog, memoryKeyRing } from '../support/idb.ts';

/** A relay that confirms each pulse, and a contact the test opens and closes. */
export class MemoryDoor implements DoorPort {
  pulses: number[] = [];
  locks = 0;
  doorOpen = false;
  readonly view = { text: 'Simulated door controller', tone: 'sim' as const };
  status(): DoorState {
    return { mode: 'normal', link: 'online', tamper: false };
  }
  async unlock(pulseMs: number): Promise<boolean> {
    this.pulses.push(pulseMs);
    return true;
  }
  async lock(): Promise<boolean> {
    this.locks++;
    return true;
  }
}

export interface RealPanel {
  readonly actions: RemotePanelActions;
  readonly gatekeeper: Gatekeeper;
  readonly admin: PeopleAdmin;
  readonly repo: MemoryPeopleRepo;
  readonly settings: MemorySettings;
  readonly door: MemoryDoor;
  readonly log: ReturnType<typeof memoryEventLog>;
  /** What a Matter bridge reported of its commissioning, as the admin area shows it. */
  readonly matter: MatterStatus;
  /** The contact opens or closes: logged as the kiosk logs the board's signed door event. */
  contact(open: boolean): Promise<void>;
  /** A recognised, live face at the camera, decided by the real policy. */
  face(personId: string): ReturnType<Gatekeeper['face']>;
}

export async function realPanel(clock: Clock): Promise<RealPanel> {
  const repo = new MemoryPeopleRepo();
  const settings = new MemorySettings();
  const log = memoryEventLog(clock);
  const keys = new GuestKeyBook(memoryKeyRing(), settings, clock, 'front-door');
  const door = new MemoryDoor();
  const prefs = new Prefs(settings);
  await prefs.load();
  const gatekeeper = new Gatekeeper({ clock, door, people: repo, settings, log, keys, pulseMs: () => prefs.pulseMs });
  const admin = new PeopleAdmin(repo, clock, () => undefined, personErasure({ forget: async () => undefined }, log, clock));
  const matter = await MatterStatus.load(settings, clock, log);
  const actions = panelActions({ clock, gatekeeper, door, keys, people: admin, repo, log, prefs, alerts: { quietHours: null, setQuietHours: async () => null }, timeZone: 'UTC', online: () => true, enrolPhoto: null, matter });
  return {
    actions,
    gatekeeper,
    admin,
    repo,
    settings,
    door,
    log,
    matter,
    async contact(open) {
      door.doorOpen = open;
      await log.append(doorLogEntry({ name: 'door', value: open ? 'opened' : 'closed' }, clock.now()));
    },
    face(personId) {
      const evidence: FaceEvidence = { match: { personId, score: 0.93, margin: 0.4, agreedFrames: 5 }, liveness: { passive: 0.99, active: null } };
      return gatekeeper.face(evidence, 1);
    },
  };
}
