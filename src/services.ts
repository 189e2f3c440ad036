import { KioskFlow } from './kiosk/kiosk.svelte.ts';
import type { PinChecker } from './kiosk/visitor-pin.ts';
import { Camera } from './platform/camera.svelte.ts';
import { browserPeer, DoorCall } from './panel/door-call.svelte.ts';
import { iceServersOf } from './panel/call-relay.ts';
import { callLogLine } from './panel/bell.ts';
import { NetworkStatus } from './platform/network.svelte.ts';
import { PersistentStorage } from './platform/storage.svelte.ts';
import { ScreenWakeLock } from './platform/wake-lock.svelte.ts';
import { systemClock, type Clock } from './platform/clock.ts';
import { AppUpdates } from './pwa/updates.svelte.ts';
import { AdminGate } from './admin/admin-gate.svelte.ts';
import { serverSetupCheck } from './admin/setup-code.ts';
import { PeopleAdmin } from './people/people-admin.svelte.ts';
import { openDoorwardDB } from './store/db.ts';
import { MatterStatus } from './panel/matter-status.svelte.ts';
import { settingsRepo, type SettingsRepo } from './store/settings.ts';
import { dataSealer } from './store/sealing.ts';
import { peopleRepo } from './store/people.ts';
import { eventLog, type EventLog } from './store/events.ts';
import { idbOutboxStore, outbox } from './store/outbox.ts';
import { DoorLink } from './panel/door-link.svelte.ts';
import { SerialDoorPorts, webSerial } from './door/web-serial.ts';
import { doorKeyStore } from './panel/door-setup.ts';
import { keyRing } from './store/keys.ts';
import { DoorSetupAdmin } from './admin/door-setup.svelte.ts';
import { panelActions } from './panel/panel-actions.ts';
import { VisionSession } from './vision/vision-session.svelte.ts';
import { photoProblemText } from './vision/photo.ts';
import { Enrolment } from './people/enrolment.svelte.ts';
import { SelfCheckIn } from './kiosk/self-check-in.svelte.ts';
import { PanelRemote } from './remote/panel-remote.ts';
import { PhoneDoors } from './remote/phone-doors.ts';
import { idbPanelStore, idbPhoneDoors } from './remote/store.ts';
import { connectMqtt } from './remote/link.ts';
import { brokerSeenFrom, chooseBroker, isBrokerUrl, parseBrokerLogin, parseServerBrokerConfig, type BrokerChoice, type BrokerLogin } from './remote/broker-url.ts';
import type { DoorwardDB } from './store/db.ts';
import { Gatekeeper } from './panel/gatekeeper.ts';
import { DoorSession } from './panel/door-session.ts';
import { GuestKeyBook } from './panel/guest-keys.ts';
import { InsightService } from './panel/insight-service.svelte.ts';
import { personErasure } from './people/erasure.ts';
import { Prefs } from './panel/prefs.svelte.ts';

/** This panel's door id, named in the guest keys it issues. */
export const DOOR_ID = 'front-door';

/** One instance of each app manager, built once at boot; the UI receives them, never builds them. */
export interface Services {
  readonly clock: Clock;
  readonly kiosk: KioskFlow;
  readonly camera: Camera;
  readonly network: NetworkStatus;
  readonly storage: PersistentStorage;
  readonly wakeLock: ScreenWakeLock;
  readonly updates: AppUpdates;
  readonly gate: AdminGate;
  readonly pins: PinChecker;
  readonly door: DoorLink;
  readonly gatekeeper: Gatekeeper;
  /** A visit at the door: faces, PINs and keys to what the screen says. */
  readonly session: DoorSession;
  readonly people: PeopleAdmin;
  readonly log: EventLog;
  readonly keys: GuestKeyBook;
  readonly insight: InsightService;
  readonly prefs: Prefs;
  readonly doorSetup: DoorSetupAdmin;
  readonly remote: PanelRemote;
  /** What a paired Matter bridge reported of its commissioning, for the admin area. */
  readonly matter: MatterStatus;
  readonly vision: VisionSession;
  readonly enrolment: Enrolment;
  readonly checkIn: SelfCheckIn;
  /** A doorbell call or live view from an admin's phone (one at a time). */
  readonly call: DoorCall;
}

export async function createServices(clock: Clock = systemClock): Promise<Services> {
  const db = await openDoorwardDB();
  const settings = settingsRepo(db);
  const people = peopleRepo(db, clock);
  const log = eventLog(db, clock);
  const gate = new AdminGate(settings, clock, serverSetupCheck());
  await gate.load();
  // A real board once this origin holds a grant for one (chosen in the admin area, or the kiosk
  // policy); the simulator until then. The stored key goes to the controller either way.
  const serial = webSerial(navigator);
  const ring = keyRing(db, clock);
  const doorKeys = doorKeyStore(ring);
  const ports = serial ? new SerialDoorPorts(serial) : null;
  const useSerial = serial !== null && ports !== null && (await ports.remembered()).length > 0;
  const door = useSerial ? await DoorLink.serial(serial, await doorKeys.load()) : await DoorLink.simulated();
  const prefs = new Prefs(settings, (ms) => door.allowPulse(ms));
  await prefs.load();
  const doorSetup = new DoorSetupAdmin(door.serialDoor, doorKeys, { ports, adopt: () => location.reload() });
  const keys = new GuestKeyBook(ring, settings, clock, DOOR_ID);
  const box = outbox(idbOutboxStore(db), clock);
  const insight = await InsightService.load(settings, log, clock, DOOR_ID, dataSealer(db, clock));
  const gatekeeper = new Gatekeeper({ clock, door, people, settings, log, keys, insight, pulseMs: () => prefs.pulseMs });
  const vision = new VisionSession();
  const reloadTemplates = () =>
    void people
      .templates()
      .then(({ templates }) => vision.setTemplates(templates))
      .catch((err) => console.warn('[vision] templates', err));
  const peopleAdmin = new PeopleAdmin(people, clock, reloadTemplates, personErasure(insight, log, clock));
  reloadTemplates();
  const network = new NetworkStatus(clock);
  const matter = await MatterStatus.load(settings, clock, log);
  const actions = panelActions({ matter, clock, gatekeeper, door, keys, people: peopleAdmin, repo: people, log, online: () => network.online,
    prefs, alerts: insight, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    // Enrolment from an admin's phone photo: the panel computes the template; the photo is not kept.
    enrolPhoto: async (personId, jpeg) => {
      if (vision.status === 'models-missing' || vision.status === 'error') return { problem: 'Face recognition is not available on this panel (models missing).' };
      try {
        const r = await vision.embedPhoto(jpeg, AbortSignal.timeout(15_000));
        if (!r.ok) return { problem: photoProblemText(r.problems) };
        if (r.alreadyEnrolledAs && r.alreadyEnrolledAs.personId !== personId) return { problem: `This face is already enrolled as ${(await people.get(r.alreadyEnrolledAs.personId))?.name ?? 'someone else'}.` };
        await peopleAdmin.addTemplate(personId, r.embedding, r.quality);
        if (r.thumbnailJpeg) await peopleAdmin.setThumbnail(personId, r.thumbnailJpeg);
        return { ok: true };
      } catch (err) {
        return { problem: `The panel could not check the photo: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
  });
  const broker = await panelBroker(settings);
  // The pairing code names the broker as a phone on the network reaches it (broker-url.ts).
  const phoneUrl = broker ? (broker.phoneUrl ?? brokerSeenFrom(broker.url, location.hostname)) : null;
  const camera = new Camera(clock);
  // The phone's voice on a call; made here so the kiosk page need not own it.
  const speaker = new Audio();
  const kiosk = new KioskFlow(clock);
  const call = new DoorCall({
    clock,
    makePeer: browserPeer(() => camera.stream, speaker, () => iceServersOf(prefs.callRelay)),
    log: (e) => {
      // The visitor still waiting at the door is told nobody is coming, not left at "Ringing…".
      if (e.kind === 'ring.declined') kiosk.dispatch({ type: 'ringDeclined' });
      const { line, still } = callLogLine(e, clock.now());
      void log.append(line, still).catch((err: unknown) => console.warn('[call] log', err));
    },
  });
  const remote = await PanelRemote.create({
    calls: call,
    brokerUrl: broker?.url ?? '',
    brokerLogin: broker?.login ?? null,
    ...(phoneUrl && broker && (broker.phoneUrl || phoneUrl !== broker.url) ? { phoneBroker: broker.phoneLogins ? askPhoneLogin : async () => ({ url: phoneUrl, login: null }) } : {}),
    connect: connectMqtt,
    store: idbPanelStore(db, clock),
    outbox: box,
    actions,
    clock,
    siteName: () => prefs.doorName,
    audit: (e) => {
      // An unpaired bridge's last report says nothing true any more.
      if (e.outcome === 'unpaired' && e.adminId) void matter.forget(e.adminId).catch((err: unknown) => console.warn('[matter] forget', err));
      return log
        .append({ at: e.at, kind: 'admin', personId: null, summary: e.summary, detail: { remoteRefused: e.outcome === 'refused', outcome: e.outcome, adminId: e.adminId, authentic: e.authentic, op: e.op, reason: e.reason } })
        .then(() => undefined);
    },
    log: (m) => console.info(m),
  });
  prefs.onDoorRenamed(() => void remote.renamed());
  kiosk.dispatch({ type: 'pinLock', until: await gatekeeper.pinLockedUntil() });
  const checkIn = new SelfCheckIn(vision, peopleAdmin, clock);
  const session = new DoorSession({ kiosk, vision, gate: gatekeeper, clock, offerSelfEnrol: (claims) => checkIn.offer(claims), log: (m, err) => console.warn(m, err) });
  return {
    clock,
    kiosk,
    session,
    camera,
    call,
    network,
    storage: new PersistentStorage(),
    wakeLock: new ScreenWakeLock(),
    updates: new AppUpdates(),
    gate,
    pins: { check: (pin) => session.pin(pin) },
    door,
    gatekeeper,
    people: peopleAdmin,
    log,
    keys,
    insight,
    prefs,
    doorSetup,
    remote,
    matter,
    vision,
    enrolment: new Enrolment(vision, peopleAdmin),
    checkIn,
  };
}

/**
 * The panel's broker (see remote/broker-url.ts): the page's `?broker=`, else what the panel's own
 * server says, fetched fresh at each boot and kept for boots without it.
 */
async function panelBroker(settings: SettingsRepo): Promise<BrokerChoice | null> {
  const server = await fetch('/panel-config.json', { cache: 'no-store', signal: AbortSignal.timeout(5_000) })
    .then(async (r) => (r.ok ? parseServerBrokerConfig(await r.json()) : null))
    .catch(() => null);
  const stored = { asked: (await settings.get('remote.brokerUrl')) ?? null, server: parseServerBrokerConfig(await settings.get('remote.serverBroker')) };
  const { choice, rememberAsked, rememberServer } = chooseBroker(location, stored, server);
  if (rememberAsked) await settings.put('remote.brokerUrl', rememberAsked);
  if (rememberServer) await settings.put('remote.serverBroker', { broker: rememberServer.broker && { url: rememberServer.broker.url, ...rememberServer.broker.login }, phoneBroker: rememberServer.phoneBroker, phoneLogins: rememberServer.phoneLogins });
  return choice;
}

/** A broker login for the phone about to pair, made by the panel's server (kiosk on loopback only). */
async function askPhoneLogin(panelId: string): Promise<{ url: string; login: BrokerLogin }> {
  const r = await fetch('/panel-config/phone-login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ panelId }), cache: 'no-store', signal: AbortSignal.timeout(5_000) });
  const body = (await r.json().catch(() => null)) as { url?: unknown } | null;
  const login = parseBrokerLogin(body);
  if (!r.ok || !login || !isBrokerUrl(body?.url)) throw new Error(`the panel's server gave no broker login for the phone (HTTP ${r.status})`);
  return { url: body.url, login };
}

/**
 * An admin's phone runs the same PWA but none of the panel: no camera, no door, no panel
 * identity on the broker; only its paired link to the panel.
 */
export async function createPhone(clock: Clock = systemClock): Promise<PhoneDoors> {
  const db = await openDoorwardDB();
  return PhoneDoors.create({ store: idbPhoneDoors(db, clock), connect: connectMqtt, clock, log: (m) => console.info(m) });
}
