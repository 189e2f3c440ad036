/**
 * One byte sequence per value, so a signature made on the phone verifies on the panel whatever
 * order either side's JSON put the keys in. Keys are sorted by UTF-16 code units (as JS sorts),
 * numbers must be finite, and anything JSON cannot say exactly (undefined, functions, NaN) is an
 * error rather than a silent omission: what is signed must be what is acted on.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      const parts: string[] = [];
      for (const k of keys) {
        const v = record[k];
        if (v === undefined) throw new TypeError(`canonicalJson: undefined at ${k}`);
        parts.push(`${JSON.stringify(k)}:${canonicalJson(v)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot encode ${typeof value}`);
  }
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Strict UTF-8 + JSON object parse with a size cap; null on anything else (never throws). */
export function parseJsonObject(bytes: Uint8Array | string, maxBytes: number): Record<string, unknown> | null {
  const raw = typeof bytes === 'string' ? utf8(bytes) : bytes;
  if (raw.byteLength === 0 || raw.byteLength > maxBytes) return null;
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const isNonEmptyString = (v: unknown, max = 256): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
export const isSafeInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
/** Epoch milliseconds we are willing to reason about (2000..2200). */
export const isEpochMs = (v: unknown): v is number => isSafeInt(v) && v >= 946_684_800_000 && v <= 7_258_118_400_000;
