import { assess, createInsight, forgetPerson, observe, tick, TICK_MS, type InsightState } from '../insight/engine.ts';
import { heatMap } from '../insight/habits.ts';
import { frequentVisitors, nameCluster, promoteCluster, type VisitorSummary } from '../insight/clusters.ts';
import type { Alert } from '../insight/alerts.ts';
import type { AttemptInput, DoorEventKind } from '../insight/types.ts';
import type { Decision, RiskHint } from '../access/types.ts';
import type { SettingsRepo } from '../store/settings.ts';
import { openInsightState, sealInsightState } from '../store/insight-state.ts';
import type { Sealer } from '../store/sealing.ts';
import type { EventLog } from '../store/events.ts';
import type { Clock } from '../platform/clock.ts';
import { settingProblem, type QuietHours } from './panel-settings.ts';

/**
 * Joins the pure insight engine to the panel: a risk hint before each decision, learning from
 * each logged event, time-driven alerts every few minutes. Alerts go to the access log, which
 * paired phones receive as it is written. The learnt state is saved so a reboot keeps the habits,
 * strangers' faces in it sealed with the data-at-rest key (store/insight-state.ts).
 */
const SAVE_DELAY_MS = 2_000;

export class InsightService {
  #state: InsightState;
  #alerts = $state<Alert[]>([]);
  #version = $state(0);
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  /** Writes in the order they were asked for, each of the state as it is when its turn comes. */
  #saving: Promise<void> = Promise.resolve();
  readonly #settings: SettingsRepo;
  readonly #sealer: Sealer;
  readonly #log: EventLog;
  readonly #clock: Clock;
  readonly #doorId: string;

  private constructor(state: InsightState, settings: SettingsRepo, sealer: Sealer, log: EventLog, clock: Clock, doorId: string) {
    this.#state = state;
    this.#settings = settings;
    this.#sealer = sealer;
    this.#log = log;
    this.#clock = clock;
    this.#doorId = doorId;
  }

  static async load(settings: SettingsRepo, log: EventLog, clock: Clock, doorId: string, sealer: Sealer): Promise<InsightService> {
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const stored = await settings.get('insightState').catch(() => undefined);
    // A state from an older engine or a corrupt record starts over rather than breaking decisions.
    const opened = await openInsightState(stored, sealer).catch((err: unknown) => {
      console.warn('[insight] learnt state unreadable, starting over', err);
      return null;
    });
    if (opened?.unreadable.length) console.warn('[insight] unknown visitors failed their integrity check, dropped', opened.unreadable);
    const service = new InsightService(opened?.state ?? createInsight({ timeZone }), settings, sealer, log, clock, doorId);
    // Faces stored plain (before they were sealed) or dropped ones are rewritten now, not at the next change.
    if (opened && (opened.plainFaces || opened.unreadable.length > 0)) await service.flush().catch((err: unknown) => console.warn('[insight] could not rewrite the learnt state sealed', err));
    // An admin's quiet hours outlive the learnt state; a damaged record keeps the engine's own.
    const quiet = await settings.get('alertQuietHours').catch(() => undefined);
    if (quiet !== undefined && settingProblem('quietHours', quiet) === null) service.#useQuietHours(quiet);
    return service;
  }

  /** Local hours in which non-critical alerts are held back; null: none. */
  get quietHours(): QuietHours | null {
    void this.#version; // the config is plain data: the version is what views can follow
    return this.#state.config.alerts.quietHours;
  }

  /** Returns a problem in words, or null when saved; the next alert is held (or not) by it. */
  async setQuietHours(quiet: QuietHours | null): Promise<string | null> {
    const problem = settingProblem('quietHours', quiet);
    if (problem) return problem;
    await this.#settings.put('alertQuietHours', quiet);
    this.#useQuietHours(quiet);
    this.#changed();
    return null;
  }

  #useQuietHours(quietHours: QuietHours | null): void {
    const config = this.#state.config;
    this.#state = { ...this.#state, config: { ...config, alerts: { ...config.alerts, quietHours } } };
  }

  get alerts(): readonly Alert[] {
    return this.#alerts;
  }

  /** Bumped on every change, so views that read the plain state know to re-read it. */
  get version(): number {
    return this.#version;
  }

  risk(attempt: Omit<AttemptInput, 'doorId'>): RiskHint {
    return assess(this.#state, { ...attempt, doorId: this.#doorId }, attempt.at).hint;
  }

  async attempt(id: string, decision: Decision, faces: number, unknownEmbedding?: Float32Array, snapshotId?: string): Promise<void> {
    const face = decision.face;
    const { alerts } = observe(this.#state, {
      type: 'attempt',
      id,
      at: decision.at,
      doorId: this.#doorId,
      personId: decision.subject?.personId ?? null,
      credential: decision.credential.kind,
      matchScore: face && decision.subject ? face.score : null,
      liveness: face ? face.passive : null,
      faces,
      outcome: decision.outcome,
      reasons: decision.reasons,
      ...(unknownEmbedding ? { unknownEmbedding } : {}),
      ...(snapshotId ? { snapshotId } : {}),
    });
    await this.#raise(alerts);
  }

  async door(kind: DoorEventKind): Promise<void> {
    const at = this.#clock.now();
    const { alerts } = observe(this.#state, { type: 'door', id: crypto.randomUUID(), at, doorId: this.#doorId, kind });
    await this.#raise(alerts);
  }

  start(): () => void {
    const timer = setInterval(() => {
      const now = this.#clock.now();
      const { raised, released } = tick(this.#state, now);
      // Held over quiet hours, delivered now: logged as of now and no longer deferred, so the
      // phone notifies (it skips deferred alerts, and old ones after an outage).
      void this.#raise([...raised, ...released.map((a) => ({ ...a, at: now, deferred: false, detail: `${a.detail} (held over quiet hours)` }))]);
    }, TICK_MS);
    return () => clearInterval(timer);
  }

  heatMaps(): { personId: string; bins: number[] }[] {
    const now = this.#clock.now();
    return [...this.#state.people].map(([personId, p]) => ({ personId, bins: heatMap(p.habit, now, this.#state.config.habits) }));
  }

  visitors(): VisitorSummary[] {
    return frequentVisitors(this.#state.clusters);
  }

  nameVisitor(id: string, name: string): void {
    if (nameCluster(this.#state.clusters, id, name.trim())) this.#changed();
  }

  /**
   * Turns a frequent unknown visitor into an enrolled person in one step: their remembered face
   * samples become the person's templates, and the cluster is erased from insight.
   */
  async grantVisitor(id: string, name: string, enrol: (name: string, embeddings: Float32Array[]) => Promise<string | null>): Promise<string | null> {
    const visitor = this.#state.clusters.clusters.find((c) => c.id === id);
    if (!visitor) return 'That visitor is no longer remembered.';
    const problem = await enrol(name.trim(), [...visitor.exemplars]);
    if (problem) return problem;
    promoteCluster(this.#state.clusters, id);
    this.#changed();
    return null;
  }

  /**
   * Erasure: drops what was learnt about the person (habit map, short memory, alerts held for
   * them) and resolves once that is stored, so nothing of them outlives the erasure on disk.
   */
  async forget(personId: string): Promise<void> {
    this.#state = forgetPerson(this.#state, personId);
    this.#alerts = this.#alerts.filter((a) => a.personId !== personId);
    this.#version++;
    await this.flush();
  }

  /** Stores the learnt state now (after any write already under way); resolves when written. */
  flush(): Promise<void> {
    clearTimeout(this.#saveTimer);
    const write = this.#saving.then(async () => this.#settings.put('insightState', await sealInsightState(this.#state, this.#sealer)));
    this.#saving = write.catch(() => undefined);
    return write;
  }

  #changed(): void {
    this.#version++;
    this.#scheduleSave();
  }

  async #raise(alerts: readonly Alert[]): Promise<void> {
    this.#changed();
    for (const a of alerts) {
      this.#alerts = [a, ...this.#alerts].slice(0, 100);
      // Logged events reach paired phones through the outbox's access-log stream; no second copy.
      await this.#log.append({ at: a.at, kind: 'system', personId: a.personId, summary: `alert ${a.code}: ${a.detail}`, detail: a });
    }
  }

  #scheduleSave(): void {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => void this.flush().catch((err: unknown) => console.warn('[insight] save failed', err)), SAVE_DELAY_MS);
  }
}
