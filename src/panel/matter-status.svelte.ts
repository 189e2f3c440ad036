import type { Clock } from '../platform/clock.ts';
import type { SettingsRepo } from '../store/settings.ts';
import { afterReport, type MatterBridgeRecord, type MatterReport } from './matter-report.ts';

/** The bridges' reports, kept in the settings store so a reload still shows them. */
export class MatterStatus {
  readonly #settings: SettingsRepo;
  readonly #clock: Clock;
  #bridges = $state<readonly MatterBridgeRecord[]>([]);

  private constructor(settings: SettingsRepo, clock: Clock, bridges: readonly MatterBridgeRecord[]) {
    this.#settings = settings;
    this.#clock = clock;
    this.#bridges = bridges;
  }

  static async load(settings: SettingsRepo, clock: Clock): Promise<MatterStatus> {
    return new MatterStatus(settings, clock, (await settings.get('matterBridges')) ?? []);
  }

  get bridges(): readonly MatterBridgeRecord[] {
    return this.#bridges;
  }

  /** A bridge's report (already parsed): stored, and answered with the fabrics it should leave. */
  async report(adminId: string, report: MatterReport): Promise<readonly number[]> {
    const next = await this.#change((all) => [...all.filter((b) => b.adminId !== adminId), afterReport(all.find((b) => b.adminId === adminId), adminId, report, this.#clock.now())]);
    return next.find((b) => b.adminId === adminId)?.removing ?? [];
  }

  /** The admin's "remove": carried out by the bridge when it next reports. */
  async remove(adminId: string, fabricIndex: number): Promise<void> {
    await this.#change((all) => all.map((b) => (b.adminId === adminId && b.report.fabrics.some((f) => f.fabricIndex === fabricIndex) && !b.removing.includes(fabricIndex) ? { ...b, removing: [...b.removing, fabricIndex] } : b)));
  }

  /** A bridge that is unpaired has nothing left to show. */
  async forget(adminId: string): Promise<void> {
    await this.#change((all) => all.filter((b) => b.adminId !== adminId));
  }

  async #change(f: (all: readonly MatterBridgeRecord[]) => readonly MatterBridgeRecord[]): Promise<readonly MatterBridgeRecord[]> {
    const next = await this.#settings.update('matterBridges', (current) => f(current ?? []));
    this.#bridges = next;
    return next;
  }
}
