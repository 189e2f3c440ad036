/**
 * What a paired Matter bridge (matter-bridge/) tells the panel about its commissioning: the QR
 * payload and manual code a controller adds the door with, and the fabrics (ecosystems) it has
 * joined. The admin area shows them; a fabric the admin removes here is handed back to the bridge
 * in the reply to its next report, and the bridge leaves it. The panel never talks Matter itself.
 */
export interface MatterFabric {
  readonly fabricIndex: number;
  readonly label: string;
  readonly vendorId: number;
}

export interface MatterReport {
  readonly qrPairingCode: string;
  readonly manualPairingCode: string;
  readonly commissioned: boolean;
  readonly fabrics: readonly MatterFabric[];
}

export interface MatterBridgeRecord {
  readonly adminId: string;
  readonly report: MatterReport;
  /** When the bridge last reported, epoch ms. */
  readonly at: number;
  /** Fabrics the admin asked the bridge to leave, until its report no longer lists them. */
  readonly removing: readonly number[];
}

/** The panel's answer to a report: its zone (Matter schedules are the door's local time) and what to leave. */
export interface MatterReportReply {
  readonly timeZone: string;
  readonly removeFabrics: readonly number[];
}

/** Matter allows at most 254 fabric indices; a lock holds a handful. */
const MAX_FABRICS = 16;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const onlyKeys = (o: Record<string, unknown>, allowed: readonly string[]) => Object.keys(o).every((k) => allowed.includes(k));

/** A report from the wire, every field checked: an 'MT:' payload in Matter's base-38 alphabet, an 11 or 21 digit code. */
export function parseMatterReport(v: unknown): MatterReport | null {
  if (!isObject(v) || !onlyKeys(v, ['qrPairingCode', 'manualPairingCode', 'commissioned', 'fabrics'])) return null;
  const { qrPairingCode, manualPairingCode, commissioned, fabrics } = v;
  if (typeof qrPairingCode !== 'string' || !/^MT:[0-9A-Z.-]{10,200}$/.test(qrPairingCode)) return null;
  if (typeof manualPairingCode !== 'string' || !/^(\d{11}|\d{21})$/.test(manualPairingCode)) return null;
  if (typeof commissioned !== 'boolean' || !Array.isArray(fabrics) || fabrics.length > MAX_FABRICS) return null;
  const out: MatterFabric[] = [];
  for (const f of fabrics as unknown[]) {
    if (!isObject(f) || !onlyKeys(f, ['fabricIndex', 'label', 'vendorId'])) return null;
    const { fabricIndex, label, vendorId } = f;
    if (!Number.isInteger(fabricIndex) || (fabricIndex as number) < 1 || (fabricIndex as number) > 254) return null;
    if (typeof label !== 'string' || label.length > 32 || !Number.isInteger(vendorId) || (vendorId as number) < 0 || (vendorId as number) > 0xffff) return null;
    if (out.some((o) => o.fabricIndex === fabricIndex)) return null;
    out.push({ fabricIndex: fabricIndex as number, label, vendorId: vendorId as number });
  }
  return { qrPairingCode, manualPairingCode, commissioned, fabrics: out };
}

/** A new report: removals still asked for are those the bridge still lists (pure). */
export function afterReport(prev: MatterBridgeRecord | undefined, adminId: string, report: MatterReport, at: number): MatterBridgeRecord {
  const listed = new Set(report.fabrics.map((f) => f.fabricIndex));
  return { adminId, report, at, removing: (prev?.removing ?? []).filter((i) => listed.has(i)) };
}
