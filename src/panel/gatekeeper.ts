import { decidePin, decideGuestKey, decideRemote, decide, identifyByPin, maySelfEnrol, withKeyUses, DEFAULT_SETTINGS } from '../access/index.ts';
import type { GuestKeyClaims } from '../access/index.ts';
import type { GuestKeyBook } from './guest-keys.ts';
import type { AccessContext, Decision, DoorState, FaceEvidence, RiskHint } from '../access/index.ts';
import { NO_FAILURES } from '../lib/lockout.ts';
import { countedCheck, type LockoutCell } from '../lib/counted-secret.ts';
import { SingleFlight } from '../lib/single-flight.ts';
import type { EventLog } from '../store/events.ts';
import type { PeopleRepo } from '../store/people.ts';
import type { SettingsRepo } from '../store/settings.ts';
import type { Clock } from '../platform/clock.ts';
import type { AttemptInput } from '../insight/types.ts';
import { toFlowDecision, withKeyWindow, type FlowDecision } from './flow-decision.ts';

export interface InsightPort {
  risk(attempt: Omit<AttemptInput, 'doorId'>): RiskHint;
  attempt(eventId: string, decision: Decision, faces: number, unknownEmbedding?: Float32Array, snapshotId?: string): Promise<void>;
}

/** The door as the access layer needs it: its state for the policy, and the one action. */
export interface DoorPort {
  status(): DoorState;
  /** Resolves true only when the controller confirmed the relay pulse. */
  unlock(pulseMs: number): Promise<boolean>;
}

export interface GatekeeperDeps {
  readonly clock: Clock;
  readonly door: DoorPort;
  readonly people: PeopleRepo;
  readonly settings: SettingsRepo;
  readonly log: EventLog;
  readonly keys: GuestKeyBook;
  /** Learnt behaviour: a risk hint before each decision, and learning from each outcome. */
  readonly insight?: InsightPort;
  /** The relay pulse, or where to read the admin's current setting: asked at every unlock, so a change needs no reload. */
  readonly pulseMs: number | (() => number);
}

/**
 * Turns one attempt (a PIN, a face, a guest key) into a decision, carries it out, and writes it
 * down: the policy decides, the door acts, the log records who and how. A grant the
 * door controller does not confirm is logged and shown as a refusal: the kiosk never claims an
 * unlock that did not happen.
 */
/** How long a face that was asked for a PIN counts as part of the same visit. */
const STEP_UP_WINDOW_MS = 30_000;

export class Gatekeeper {
  readonly #d: GatekeeperDeps;
  /** One attempt at a time for the whole panel: PIN, face, guest key and remote unlock alike. */
  readonly #flight = new SingleFlight();
  /** The face of a visit that was asked for its PIN too ("face and PIN after 22:00"). */
  #pendingFace: { evidence: FaceEvidence; at: number } | null = null;

  constructor(deps: GatekeeperDeps) {
    this.#d = deps;
  }

  /** Until when the PIN pad refuses entries, from the stored record (0: it does not). */
  async pinLockedUntil(): Promise<number> {
    const record = await this.#d.settings.get('pinPadLockout');
    return record && record.lockedUntil > this.#d.clock.now() ? record.lockedUntil : 0;
  }

  /** True while an attempt is being decided or waits its turn: the kiosk holds the PIN pad meanwhile. */
  get busy(): boolean {
    return this.#flight.busy;
  }

  /**
   * A PIN from the pad. The failure is counted before the (slow) hash check starts and taken back
   * only if the PIN belongs to someone, and a locked pad refuses without checking at all: a burst
   * of guesses gets no more checks than the back-off allows.
   */
  pin(entered: string): Promise<FlowDecision> {
    return this.#flight.run(async () => (await this.#pin(entered, null)).shown);
  }

  /**
   * A PIN sent by a remote admin (the Matter bridge): the pad's own check, failure count and
   * back-off, so a controller cannot guess faster than a visitor at the pad. It never completes a
   * face step-up at the door (whoever sent it is not the face in front of the camera), and the
   * log line says who carried it.
   */
  remotePin(entered: string, adminId: string, carrier?: string): Promise<{ shown: FlowDecision; personId: string | null }> {
    return this.#flight.run(() => this.#pin(entered, adminId, carrier));
  }

  async #pin(entered: string, viaAdmin: string | null, carrier?: string): Promise<{ shown: FlowDecision; personId: string | null }> {
    const now = this.#d.clock.now();
    const settings = (await this.#d.settings.get('accessSettings')) ?? DEFAULT_SETTINGS;
    const pad: LockoutCell = { update: (change) => this.#d.settings.update('pinPadLockout', (r) => change(r ?? NO_FAILURES)) };
    const counted = await countedCheck(pad, now, settings.lockout, async () => identifyByPin(entered, await this.#d.people.pins()), (who) => who !== null);
    const who = counted.kind === 'checked' ? counted.result : null;
    const ctx = await this.#context({ at: now, personId: who?.personId ?? null, credential: 'pin', matchScore: null, liveness: null, faces: 0 });
    const pending = viaAdmin === null && this.#pendingFace && now - this.#pendingFace.at <= STEP_UP_WINDOW_MS ? this.#pendingFace.evidence : undefined;
    if (viaAdmin === null) this.#pendingFace = null;
    const lockout = counted.kind === 'checked' ? counted.before : counted.record;
    const { decision } = decidePin({ ...ctx, personId: who?.personId ?? null, pin: who?.check ?? 'wrong', lockout, ...(pending ? { face: pending } : {}) }, now);
    const shown = await this.#carryOut(decision, 0, undefined, undefined, viaAdmin, carrier);
    return { shown, personId: decision.subject?.personId ?? null };
  }

  face(evidence: FaceEvidence, faces: number, snapshot?: Uint8Array, unknownEmbedding?: Float32Array): Promise<FlowDecision> {
    return this.#flight.run(() => this.#face(evidence, faces, snapshot, unknownEmbedding));
  }

  async #face(evidence: FaceEvidence, faces: number, snapshot?: Uint8Array, unknownEmbedding?: Float32Array): Promise<FlowDecision> {
    const now = this.#d.clock.now();
    const { match, liveness } = evidence;
    const ctx = await this.#context({ at: now, personId: match.personId, credential: 'face', matchScore: match.personId ? match.score : null, liveness: liveness.passive, faces });
    const decision = decide({ ...ctx, face: evidence }, now);
    this.#pendingFace = decision.outcome === 'stepUp' && decision.step === 'pin' ? { evidence, at: now } : null;
    return this.#carryOut(decision, faces, snapshot, unknownEmbedding);
  }

  /**
   * A guest key from the camera. `selfEnrol` is set when the key lets its guest enrol their own
   * face for the stay and they have not yet: the kiosk then offers it.
   */
  guestKey(token: string): Promise<{ shown: FlowDecision; selfEnrol: GuestKeyClaims | null }> {
    return this.#flight.run(() => this.#guestKey(token));
  }

  async #guestKey(token: string): Promise<{ shown: FlowDecision; selfEnrol: GuestKeyClaims | null }> {
    const now = this.#d.clock.now();
    const result = await this.#d.keys.verify(token);
    const decision = decideGuestKey(result, this.#d.door.status(), now);
    const shown = withKeyWindow(await this.#carryOut(decision, 0), result);
    if (shown.outcome !== 'grant' || !result.ok) return { shown, selfEnrol: null };
    await this.#d.keys.countUse(result.claims.keyId);
    const offer = maySelfEnrol(result.claims, now) && !(await this.#d.people.get(result.claims.subject));
    return { shown, selfEnrol: offer ? result.claims : null };
  }

  /** An unlock from a paired admin whose command the remote layer has already verified. */
  remote(adminId: string): Promise<FlowDecision> {
    return this.#flight.run(() => this.#carryOut(decideRemote(adminId, this.#d.door.status(), this.#d.clock.now()), 0));
  }

  async #context(attempt: Omit<AttemptInput, 'doorId'>): Promise<AccessContext> {
    const [people, stored, settings, rules, pins, keys] = await Promise.all([
      this.#d.people.list(),
      this.#d.people.passes(),
      this.#d.settings.get('accessSettings'),
      this.#d.settings.get('stepUpRules'),
      this.#d.people.pins(),
      this.#d.keys.usage(),
    ]);
    const passes = stored.map((p) => withKeyUses(p, keys.uses, keys.revoked));
    const risk = this.#d.insight?.risk(attempt);
    const pinHolders = new Set(pins.map((c) => c.personId));
    return { people, passes, pinHolders, stepUpRules: rules ?? [], door: this.#d.door.status(), settings: settings ?? DEFAULT_SETTINGS, ...(risk ? { risk } : {}) };
  }

  async #carryOut(decision: Decision, faces: number, snapshot?: Uint8Array, unknownEmbedding?: Float32Array, viaAdmin: string | null = null, carrier?: string): Promise<FlowDecision> {
    let final = decision;
    if (decision.outcome === 'grant') {
      const pulse = this.#d.pulseMs;
      const pulsed = await this.#d.door.unlock(typeof pulse === 'number' ? pulse : pulse()).catch(() => false);
      if (!pulsed) {
        final = { ...decision, outcome: 'deny', reasons: ['doorOffline', ...decision.reasons], retryAfterMs: 0 } as Decision;
        console.warn('[gatekeeper] grant not carried out: door controller did not confirm');
      } else if (decision.passId) {
        await this.#countPassUse(decision.passId);
      }
    }
    const { id: eventId, snapshotId } = await this.#record(final, snapshot, viaAdmin, carrier);
    await this.#d.insight?.attempt(eventId, final, faces, unknownEmbedding, snapshotId ?? undefined).catch((err: unknown) => console.warn('[insight]', err));
    return toFlowDecision(final);
  }

  /** A key's pass has no count of its own: the entry is a use of the key. */
  async #countPassUse(passId: string): Promise<void> {
    const pass = (await this.#d.people.passes()).find((p) => p.id === passId);
    if (pass?.keyId !== undefined) await this.#d.keys.countUse(pass.keyId);
    else if (pass) await this.#d.people.countPassUse(pass.id);
  }

  async #record(decision: Decision, snapshot?: Uint8Array, viaAdmin: string | null = null, carrier?: string): Promise<{ id: string; snapshotId: string | null }> {
    const who = decision.subject?.name ?? 'unknown';
    const sender = carrier ? `${carrier} (${viaAdmin?.slice(0, 8)})` : `remote admin ${viaAdmin?.slice(0, 8)}`;
    const summary = `${decision.outcome} ${who} by ${decision.credential.kind}${viaAdmin ? ` sent by ${sender}` : ''}`;
    // The log is the one writer of events: the remote link queues each stored line for the phones
    // itself (a second copy queued here under the same id once replaced it, losing its snapshot).
    const detail = viaAdmin ? { ...decision, via: carrier ? { adminId: viaAdmin, carrier } : { adminId: viaAdmin } } : decision;
    const { id, snapshotId } = await this.#d.log.append({ at: decision.at, kind: 'attempt', personId: decision.subject?.personId ?? null, summary, detail }, snapshot);
    return { id, snapshotId };
  }
}
