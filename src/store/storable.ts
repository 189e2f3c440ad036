/**
 * What IndexedDB can keep. A Svelte `$state` object is a Proxy, and structured clone refuses
 * proxies (`DataCloneError`), so a setting saved straight from the UI was lost on reload. Every
 * write in the store goes through this: plain objects and arrays are copied member by member
 * (reading through any proxy), everything else (Maps, typed arrays, Dates, CryptoKeys, Blobs) is
 * passed as it is, since structured clone already knows how to keep those.
 */
export function storable<T>(value: T): T {
  return copy(value, new WeakMap()) as T;
}

function copy(value: unknown, seen: WeakMap<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(copy(item, seen));
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [k, v] of Object.entries(value)) out[k] = copy(v, seen);
  return out;
}
