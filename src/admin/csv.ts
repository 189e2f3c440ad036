import type { EventRecord } from '../store/db.ts';

/** RFC 4180 quoting; a leading =, +, - or @ is defused so a spreadsheet never runs a cell as a formula. */
function cell(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function eventsToCsv(events: readonly EventRecord[]): string {
  const header = ['time', 'kind', 'summary', 'person', 'outcome', 'credential', 'reasons', 'alerts', 'match', 'liveness'];
  const rows = events.map((e) => {
    const d = (e.detail ?? {}) as {
      outcome?: string;
      credential?: { kind?: string };
      reasons?: readonly string[];
      alerts?: readonly string[];
      subject?: { name?: string } | null;
      face?: { score?: number; passive?: number } | null;
    };
    return [
      new Date(e.at).toISOString(),
      e.kind,
      e.summary,
      d.subject?.name ?? '',
      d.outcome ?? '',
      d.credential?.kind ?? '',
      (d.reasons ?? []).join(' '),
      (d.alerts ?? []).join(' '),
      d.face?.score?.toFixed(3) ?? '',
      d.face?.passive?.toFixed(3) ?? '',
    ].map((v) => cell(String(v)));
  });
  return [header, ...rows].map((r) => r.join(',')).join('\r\n') + '\r\n';
}
