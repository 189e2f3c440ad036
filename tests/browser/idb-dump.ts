/**
 * Everything an IndexedDB database holds, as a forensic reader of its files would find it: every
 * string (values, object keys, Map keys), every byte of every ArrayBuffer or typed array, and
 * where a float array sits in the clear. Loaded into the page by the browser-module tests.
 */
export interface Dump {
  readonly texts: string[];
  readonly blobs: Uint8Array[];
  /** 'store/key/path (length)' of each Float32Array/Float64Array, and each number[] of `dims` length. */
  readonly floatArrays: string[];
}

/** Opens its own connection (the app's idb wrapper is not needed to read the files' contents). */
export async function dumpDatabase(name: string, dims: number): Promise<Dump> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(name);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  try {
    return await dumpOpen(db, dims);
  } finally {
    db.close();
  }
}

async function dumpOpen(db: IDBDatabase, dims: number): Promise<Dump> {
  const dump: Dump = { texts: [], blobs: [], floatArrays: [] };
  const walk = (value: unknown, path: string, depth: number): void => {
    if (depth > 32 || value === null || value === undefined) return;
    if (typeof value === 'string') dump.texts.push(value);
    else if (typeof value !== 'object') return;
    else if (value instanceof ArrayBuffer) dump.blobs.push(new Uint8Array(value));
    else if (ArrayBuffer.isView(value)) {
      dump.blobs.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      if (value instanceof Float32Array || value instanceof Float64Array) dump.floatArrays.push(`${path} (${value.length})`);
    } else if (value instanceof Map) {
      for (const [k, v] of value) {
        walk(k, `${path}/<key>`, depth + 1);
        walk(v, `${path}/${String(k)}`, depth + 1);
      }
    } else if (value instanceof Set) {
      for (const v of value) walk(v, `${path}/<item>`, depth + 1);
    } else if (Array.isArray(value)) {
      if (value.length === dims && value.every((v) => typeof v === 'number')) dump.floatArrays.push(`${path} (${value.length})`);
      value.forEach((v, i) => walk(v, `${path}/${i}`, depth + 1));
    } else if (typeof CryptoKey !== 'undefined' && value instanceof CryptoKey) {
      // Non-extractable: its bytes are not in reach of script (nor of this dump).
    } else {
      for (const [k, v] of Object.entries(value)) {
        dump.texts.push(k);
        walk(v, `${path}/${k}`, depth + 1);
      }
    }
  };
  for (const store of Array.from(db.objectStoreNames)) {
    const records = await new Promise<{ key: IDBValidKey; value: unknown }[]>((resolve, reject) => {
      const out: { key: IDBValidKey; value: unknown }[] = [];
      const req = db.transaction(store).objectStore(store).openCursor();
      req.onsuccess = () => {
        const c = req.result;
        if (!c) return resolve(out);
        out.push({ key: c.primaryKey, value: c.value });
        c.continue();
      };
      req.onerror = () => reject(req.error);
    });
    for (const { key, value } of records) {
      walk(key, `${store}/<key>`, 0);
      walk(value, `${store}/${String(key)}`, 0);
    }
  }
  return dump;
}

/** True when 16 bytes from the start or the middle of `plain` appear in any blob of the dump. */
export function containsBytes(dump: Dump, plain: Float32Array): boolean {
  const bytes = new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
  const needles = [0, Math.floor(bytes.length / 2)].map((at) => bytes.slice(at, at + 16));
  const has = (hay: Uint8Array, needle: Uint8Array) => {
    outer: for (let i = 0; i + needle.length <= hay.length; i++) {
      for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
      return true;
    }
    return false;
  };
  return dump.blobs.some((blob) => needles.some((n) => has(blob, n)));
}
