import { createHash } from 'node:crypto';
import { canonicalJson } from '../src/remote/canonical.ts';
import type { RemoteEvent } from '../src/remote/messages.ts';
import type { Db, Sql } from './db/db.ts';

/**
 * The site's one access log. Every panel's events, each stored once however often it arrives
 * (the live stream, a catch-up after an outage, the broker's redelivery): the (panel, event id)
 * pair is unique. Rows are appended in one order, each carrying the hash of the row before it
 * and the hash of the signed envelope it came in, so an edited row, a deleted one or a cut-off
 * tail shows up in `verifyLog`; the envelopes themselves (signed by the panel, which the hub
 * cannot forge) say what the panel really sent.
 */
export interface Arrival {
  readonly panelId: string;
  readonly events: readonly RemoteEvent[];
  /** The signed message they came in, as received. */
  readonly envelope: string;
}

export interface LogRow {
  readonly seq: number;
  readonly panelId: string;
  readonly eventId: string;
  readonly at: number;
  readonly kind: string;
  readonly outcome: string | null;
  readonly summary: string;
  readonly panelPersonId: string | null;
  readonly personId: string | null;
  readonly detail: string;
  readonly proofHash: string;
  readonly receivedAt: number;
  readonly prevHash: string;
  readonly rowHash: string;
}

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export function rowHash(r: Omit<LogRow, 'rowHash'>): string {
  return sha256(canonicalJson(['doorward-hub-log/1', r.seq, r.panelId, r.eventId, r.at, r.kind, r.outcome, r.summary, r.panelPersonId, r.personId, r.detail, r.proofHash, r.receivedAt, r.prevHash]));
}

const outcomeOf = (detail: unknown): string | null => {
  const o = detail && typeof detail === 'object' ? (detail as { outcome?: unknown }).outcome : undefined;
  return typeof o === 'string' && o.length <= 32 ? o : null;
};

/** Appends what is new; returns how many rows were added, how many were already there, and the new events. */
export async function appendEvents(db: Db, arrival: Arrival, receivedAt: number): Promise<{ added: number; duplicates: number; fresh: RemoteEvent[] }> {
  if (arrival.events.length === 0) return { added: 0, duplicates: 0, fresh: [] };
  return db.transaction(async (tx) => {
    // One writer at a time on the chain: the head row is the lock.
    const [head] = await tx.query<{ last_seq: string; last_hash: string }>('SELECT last_seq, last_hash FROM log_head FOR UPDATE');
    if (!head) throw new Error('log head missing: the schema was not migrated');
    let seq = Number(head.last_seq);
    let prev = head.last_hash;
    const proofHash = sha256(arrival.envelope);
    await tx.query('INSERT INTO log_proofs (proof_hash, panel_id, envelope) VALUES ($1, $2, $3) ON CONFLICT (proof_hash) DO NOTHING', [proofHash, arrival.panelId, arrival.envelope]);
    const ids = arrival.events.map((e) => e.id);
    const known = new Set((await tx.query<{ event_id: string }>('SELECT event_id FROM log WHERE panel_id = $1 AND event_id = ANY($2::text[])', [arrival.panelId, ids])).map((r) => r.event_id));
    const fresh: RemoteEvent[] = [];
    for (const e of arrival.events) {
      if (known.has(e.id)) continue;
      known.add(e.id);
      fresh.push(e);
      const personId = e.personId ? await hubPersonOf(tx, arrival.panelId, e.personId) : null;
      const row: Omit<LogRow, 'rowHash'> = { seq: ++seq, panelId: arrival.panelId, eventId: e.id, at: e.at, kind: e.kind, outcome: outcomeOf(e.detail), summary: e.summary, panelPersonId: e.personId, personId, detail: canonicalJson(e.detail ?? null), proofHash, receivedAt, prevHash: prev };
      prev = rowHash(row);
      await tx.query(
        'INSERT INTO log (seq, panel_id, event_id, at, kind, outcome, summary, panel_person_id, person_id, detail, proof_hash, received_at, prev_hash, row_hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)',
        [row.seq, row.panelId, row.eventId, row.at, row.kind, row.outcome, row.summary, row.panelPersonId, row.personId, row.detail, row.proofHash, row.receivedAt, row.prevHash, prev],
      );
    }
    if (fresh.length > 0) await tx.query('UPDATE log_head SET last_seq = $1, last_hash = $2', [seq, prev]);
    return { added: fresh.length, duplicates: arrival.events.length - fresh.length, fresh };
  });
}

async function hubPersonOf(tx: Sql, panelId: string, panelPersonId: string): Promise<string | null> {
  const [r] = await tx.query<{ person_id: string }>('SELECT person_id FROM panel_people WHERE panel_id = $1 AND panel_person_id = $2', [panelId, panelPersonId]);
  return r?.person_id ?? null;
}

const ROW_COLUMNS = 'seq, panel_id, event_id, at, kind, outcome, summary, panel_person_id, person_id, detail, proof_hash, received_at, prev_hash, row_hash';

function toRow(r: Record<string, unknown>): LogRow {
  return {
    seq: Number(r.seq),
    panelId: String(r.panel_id),
    eventId: String(r.event_id),
    at: Number(r.at),
    kind: String(r.kind),
    outcome: r.outcome === null ? null : String(r.outcome),
    summary: String(r.summary),
    panelPersonId: r.panel_person_id === null ? null : String(r.panel_person_id),
    personId: r.person_id === null ? null : String(r.person_id),
    detail: String(r.detail),
    proofHash: String(r.proof_hash),
    receivedAt: Number(r.received_at),
    prevHash: String(r.prev_hash),
    rowHash: String(r.row_hash),
  };
}

/** What the envelope check says about one row: null when the panel's signed message holds it as stored. */
export type ProofCheck = (row: LogRow, envelope: string) => Promise<string | null>;

export interface VerifyReport {
  readonly ok: boolean;
  readonly rows: number;
  readonly problems: readonly string[];
}

/**
 * Walks the chain from its first kept row to the head: every row's hash recomputed, every link
 * to the row before, no gap in the numbering, the head pointing at the last row, and (with
 * `proof`) each row found, as stored, in the panel-signed envelope it came in.
 */
export async function verifyLog(db: Sql, proof?: ProofCheck, maxProblems = 50): Promise<VerifyReport> {
  const [head] = await db.query<Record<string, unknown>>('SELECT last_seq, last_hash, first_seq, first_prev FROM log_head');
  if (!head) return { ok: false, rows: 0, problems: ['the log head is missing'] };
  const problems: string[] = [];
  const say = (p: string) => void (problems.length < maxProblems && problems.push(p));
  let expectSeq = Number(head.first_seq);
  let prev = String(head.first_prev);
  let rows = 0;
  const envelopes = new Map<string, string | null>();
  for (;;) {
    const batch = (await db.query<Record<string, unknown>>(`SELECT ${ROW_COLUMNS} FROM log WHERE seq >= $1 ORDER BY seq LIMIT 1000`, [expectSeq])).map(toRow);
    if (batch.length === 0) break;
    for (const r of batch) {
      rows++;
      if (r.seq !== expectSeq) say(`rows ${expectSeq}..${r.seq - 1} are missing (deleted)`);
      if (r.prevHash !== prev) say(`row ${r.seq} does not follow the row before it (a row before it was changed or removed)`);
      const { rowHash: stored, ...rest } = r;
      if (rowHash(rest) !== stored) say(`row ${r.seq} (event ${r.eventId} of panel ${r.panelId}) was changed after it was written`);
      if (proof) {
        if (!envelopes.has(r.proofHash)) {
          const [p] = await db.query<{ envelope: string }>('SELECT envelope FROM log_proofs WHERE proof_hash = $1', [r.proofHash]);
          envelopes.set(r.proofHash, p && sha256(p.envelope) === r.proofHash ? p.envelope : null);
        }
        const envelope = envelopes.get(r.proofHash) ?? null;
        const problem = envelope === null ? 'its signed envelope is missing or altered' : await proof(r, envelope);
        if (problem) say(`row ${r.seq} (event ${r.eventId}): ${problem}`);
      }
      prev = stored;
      expectSeq = r.seq + 1;
    }
  }
  const lastSeq = Number(head.last_seq);
  if (expectSeq - 1 !== lastSeq && !(rows === 0 && lastSeq < Number(head.first_seq))) say(`the log ends at row ${expectSeq - 1} but its head says ${lastSeq} (the newest rows were deleted)`);
  else if (rows > 0 && prev !== String(head.last_hash)) say('the newest row is not the one the head recorded');
  return { ok: problems.length === 0, rows, problems };
}

/**
 * Retention: rows received before `cutoff` go, oldest first, and the chain's new start is
 * recorded so verification still holds from there. Only this transaction may delete (the
 * trigger in the schema refuses everyone else).
 */
export async function pruneLog(db: Db, cutoff: number): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT set_config('doorward.pruning', 'on', true)");
    const [head] = await tx.query<Record<string, unknown>>('SELECT first_seq, last_seq FROM log_head FOR UPDATE');
    if (!head) return 0;
    const [keep] = await tx.query<{ seq: string | null }>('SELECT min(seq) AS seq FROM log WHERE received_at >= $1', [cutoff]);
    const lastGone = keep?.seq !== null && keep?.seq !== undefined ? Number(keep.seq) - 1 : Number(head.last_seq);
    if (lastGone < Number(head.first_seq)) return 0;
    const [edge] = await tx.query<{ row_hash: string }>('SELECT row_hash FROM log WHERE seq = $1', [lastGone]);
    if (!edge) throw new Error(`log row ${lastGone} is missing: run the verify command`);
    const gone = await tx.query('DELETE FROM log WHERE seq <= $1 RETURNING seq', [lastGone]);
    await tx.query('UPDATE log_head SET first_seq = $1, first_prev = $2, pruned = pruned + $3', [lastGone + 1, edge.row_hash, gone.length]);
    await tx.query('DELETE FROM log_proofs p WHERE NOT EXISTS (SELECT 1 FROM log l WHERE l.proof_hash = p.proof_hash)');
    return gone.length;
  });
}

export interface LogQuery {
  readonly panelId?: string;
  readonly personId?: string;
  readonly from?: number;
  readonly to?: number;
  readonly limit?: number;
}

/** Newest first: the per-door (panelId) and per-person (personId) views. */
export async function queryLog(db: Sql, q: LogQuery = {}): Promise<LogRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.panelId !== undefined) add('panel_id = ?', q.panelId);
  if (q.personId !== undefined) add('person_id = ?', q.personId);
  if (q.from !== undefined) add('at >= ?', q.from);
  if (q.to !== undefined) add('at < ?', q.to);
  params.push(Math.min(Math.max(1, q.limit ?? 200), 10_000));
  const rows = await db.query<Record<string, unknown>>(`SELECT ${ROW_COLUMNS} FROM log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, seq DESC LIMIT $${params.length}`, params);
  return rows.map(toRow);
}

export interface AttendanceRow {
  readonly personId: string;
  readonly name: string;
  /** Local date (YYYY-MM-DD) in the site's zone. */
  readonly day: string;
  readonly firstIn: number;
  readonly lastOut: number;
  readonly entries: number;
}

/** First granted entry and last granted entry per person per local day, at any door. */
export async function attendance(db: Sql, from: number, to: number, timeZone: string): Promise<AttendanceRow[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT l.person_id, p.name, to_char(to_timestamp(l.at / 1000.0) AT TIME ZONE $3, 'YYYY-MM-DD') AS day, min(l.at) AS first_in, max(l.at) AS last_out, count(*) AS entries
       FROM log l JOIN people p ON p.person_id = l.person_id
      WHERE l.kind = 'attempt' AND l.outcome = 'grant' AND l.at >= $1 AND l.at < $2
      GROUP BY l.person_id, p.name, day ORDER BY day, p.name`,
    [from, to, timeZone],
  );
  return rows.map((r) => ({ personId: String(r.person_id), name: String(r.name), day: String(r.day), firstIn: Number(r.first_in), lastOut: Number(r.last_out), entries: Number(r.entries) }));
}

/**
 * RFC 4180 CSV. A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed
 * with an apostrophe: names and summaries come from panels, and a name is not a macro.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const cell = (v: string | number | null): string => {
    if (v === null) return '';
    let s = String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function attendanceCsv(rows: readonly AttendanceRow[], timeZone: string): string {
  const local = (ms: number) => new Date(ms).toLocaleTimeString('en-GB', { timeZone, hour12: false });
  return toCsv(['date', 'person', 'first_in', 'last_out', 'entries'], rows.map((r) => [r.day, r.name, local(r.firstIn), local(r.lastOut), r.entries]));
}

export function logCsv(rows: readonly LogRow[]): string {
  return toCsv(['time', 'door', 'kind', 'outcome', 'person', 'summary', 'event_id'], rows.map((r) => [new Date(r.at).toISOString(), r.panelId, r.kind, r.outcome, r.personId, r.summary, r.eventId]));
}
