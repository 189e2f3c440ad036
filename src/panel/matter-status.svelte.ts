import type { Clock } from '../platform/clock.ts';
import type { EventLog } from '../store/events.ts';
import type { SettingsRepo } from '../store/settings.ts';
import { afterReport, type MatterBridgeRecord, type MatterReport } from './matter-report.ts';

/** The bridges' reports, kept in the settings store so a reload still shows them. */
export class MatterStatus {
  readonly #settings: SettingsRepo;
  readonly #clock: Clock;
  readonly #log: Pick<EventLog, 'append'>;
  #bridges = $state<readonly MatterBridgeRecord[]>([]);

  private constructor(settings: SettingsRepo, clock: Clock, log: Pick<EventLog, 'append'>, bridges: readonly MatterBridgeRecord[]) {
    this.#settings = settings;
    this.#clock = clock;
    this.#log = log;
    this.#bridges = bridges;
  }

  static async load(settings: SettingsRepo, clock: Clock, log: Pick<EventLog, 'append'>): Promise<MatterStatus> {
    return new MatterStatus(settings, clock, log, (await settings.get('matterBridges')) ?? []);
  }

  get bridges(): readonly MatterBridgeRecord[] {
    return this.#bridges;
  }

  /** A bridge's report (already parsed): stored, and answered with the fabrics it should leave. */
  async report(adminId: string, report: MatterReport): Promise<readonly number[]> {
    const next = await this.#change((all) => [...all.filter((b) => b.adminId !== adminId), afterReport(all.find((b) => b.adminId === adminId), adminId, report, this.#clock.now())]);
    return next.find((b) => b.adminId === adminId)?.removing ?? [];
  }

  /** The admin's "remove": carried out by the bridge when it next reports; the log says who asked. */
  async remove(adminId: string, fabricIndex: number): Promise<void> {
    const asked = (b: MatterBridgeRecord) => (b.adminId === adminId && !b.removing.includes(fabricIndex) ? b.report.fabrics.find((f) => f.fabricIndex === fabricIndex) : undefined);
    const fabric = this.#bridges.map(asked).find((f) => f !== undefined);
    if (!fabric) return;
    await this.#change((all) => all.map((b) => (asked(b) ? { ...b, removing: [...b.removing, fabricIndex] } : b)));
    const name = fabric.label ? `"${fabric.label}"` : `fabric ${fabricIndex}`;
    await this.#log.append({ at: this.#clock.now(), kind: 'admin', personId: null, summary: `Matter: the panel admin asked bridge ${adminId.slice(0, 8)} to leave ${name}`, detail: { adminId, matterFabric: fabricIndex } });
  }

  /** A bridge that is unpaired has nothing left to show. */
  async forget(adminId: string): Promise<void> {
    if (!this.#bridges.some((b) => b.adminId === adminId)) return;
    await this.#change((all) => all.filter((b) => b.adminId !== adminId));
  }

  async #change(f: (all: readonly MatterBridgeRecord[]) => readonly MatterBridgeRecord[]): Promise<readonly MatterBridgeRecord[]> {
    const next = await this.#settings.update('matterBridges', (current) => f(current ?? []));
    this.#bridges = next;
    return next;
  }
}
