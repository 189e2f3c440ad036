/**
 * Enrolled templates in one flat row-major block of unit vectors, so a search is a single tight
 * loop over contiguous memory, with no per-template objects for the garbage collector.
 *
 * Where WebAssembly SIMD is available the block lives in the memory of a small wasm instance
 * (src/vision/simd/dot.c, bytes in simd-dot.wasm.ts) and `scan` runs there, f32x4 dot products;
 * templates are written into that memory once, by `add`, and a query copies only its own 512
 * floats in. Otherwise the same layout sits in an ArrayBuffer and a JS loop scans it.
 */
import { SIMD_DOT_WASM } from './simd-dot.wasm.ts';
export interface MatchPolicy {
  /** Cosine the best person must reach. */
  readonly threshold: number;
  /** How far the best person must lead the runner-up *person* (not the runner-up template). */
  readonly margin: number;
}

export interface PersonScore {
  readonly personId: string;
  readonly score: number;
}

export type MatchResult =
  | { readonly kind: 'match'; readonly personId: string; readonly score: number; readonly lead: number }
  | {
      readonly kind: 'unknown';
      readonly reason: 'no-templates' | 'below-threshold' | 'ambiguous';
      readonly best: PersonScore | null;
      readonly runnerUp: PersonScore | null;
    };

/** Which loop scores a query: the wasm SIMD kernel, or plain JS where SIMD is unavailable. */
export type MatchKernel = 'wasm-simd' | 'js';

export interface TemplateIndexOptions {
  /**
   * 'auto' (default): the wasm kernel once the block is big enough to gain from it (64 KiB),
   * JS below that (a wasm memory per tiny index costs more than it saves). 'wasm': the kernel
   * from the first template. 'js': never the kernel. 'wasm' falls back to JS without SIMD.
   */
  readonly kernel?: 'auto' | 'wasm' | 'js';
}

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  readonly __heap_base: WebAssembly.Global;
  scan(rows: number, owner: number, count: number, stride: number, query: number, best: number): void;
}

/** Bytes of block (rows x stride floats) from which 'auto' moves the index into wasm. */
const WASM_FROM_BYTES = 64 * 1024;
const PAGE = 65536;
const align16 = (n: number): number => (n + 15) & ~15;

let kernelModule: WebAssembly.Module | null | undefined; // undefined: not tried yet

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * The compiled kernel, or null where WebAssembly or its SIMD proposal is missing (or compiling
 * is refused, e.g. by a CSP without 'wasm-unsafe-eval'). `WebAssembly.validate` on the kernel
 * itself is the feature test: it is 1 KiB and uses exactly the SIMD ops we need. Compiled
 * synchronously once (well under the main thread's 4 KiB limit for sync compiles).
 */
export function simdKernelModule(): WebAssembly.Module | null {
  if (kernelModule !== undefined) return kernelModule;
  kernelModule = null;
  try {
    if (typeof WebAssembly === 'object') {
      const b = decodeBase64(SIMD_DOT_WASM.base64);
      if (WebAssembly.validate(b)) kernelModule = new WebAssembly.Module(b);
    }
  } catch {
    kernelModule = null;
  }
  return kernelModule;
}

export class TemplateIndex {
  readonly dim: number;
  /** Floats per stored row: dim rounded up to 4, the padding kept at zero, so rows are 16-byte aligned. */
  readonly #stride: number;
  readonly #wanted: 'auto' | 'wasm' | 'js';
  readonly #module: WebAssembly.Module | null;
  #kernel: KernelExports | null = null;
  #buffer: ArrayBuffer = new ArrayBuffer(0);
  #bufferIsWasm = false;
  #capacity = 0;
  // Byte offsets in #buffer: query (stride floats), best (capacity floats), owner, rows.
  #at = { query: 0, best: 0, owner: 0, rows: 0, end: 0 };
  #query = new Float32Array(0);
  #best = new Float32Array(0); // scratch: best score per person slot (people <= rows <= capacity)
  #owner = new Int32Array(0); // row -> person slot
  #vectors = new Float32Array(0);
  #count = 0;
  #people: string[] = []; // slot -> person id
  #slotOf = new Map<string, number>();

  constructor(dim: number, initialCapacity = 64, options: TemplateIndexOptions = {}) {
    if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`bad dimension ${dim}`);
    this.dim = dim;
    this.#stride = (dim + 3) & ~3;
    this.#wanted = options.kernel ?? 'auto';
    this.#module = this.#wanted === 'js' ? null : simdKernelModule();
    this.#reserve(Math.max(1, Math.floor(initialCapacity)));
  }

  get size(): number {
    return this.#count;
  }

  get personCount(): number {
    return this.#slotOf.size;
  }

  /** The loop that scores queries now ('auto' switches to 'wasm-simd' as the index grows). */
  get kernel(): MatchKernel {
    return this.#kernel ? 'wasm-simd' : 'js';
  }

  /** Adds one template (normalised here, so callers cannot store a vector of the wrong length scale). */
  add(personId: string, embedding: ArrayLike<number>): void {
    if (embedding.length !== this.dim) throw new RangeError(`template has ${embedding.length} values, index wants ${this.dim}`);
    let norm = 0;
    for (let i = 0; i < this.dim; i++) norm += embedding[i]! * embedding[i]!;
    if (!(norm > 0) || !Number.isFinite(norm)) throw new RangeError('template is zero or not finite');
    if (this.#count === this.#capacity) this.#reserve(Math.max(16, this.#capacity * 2));
    let slot = this.#slotOf.get(personId);
    if (slot === undefined) {
      slot = this.#people.length;
      this.#people.push(personId);
      this.#slotOf.set(personId, slot);
    }
    const inv = 1 / Math.sqrt(norm);
    const base = this.#count * this.#stride;
    const v = this.#vectors;
    for (let i = 0; i < this.dim; i++) v[base + i] = embedding[i]! * inv;
    v.fill(0, base + this.dim, base + this.#stride);
    this.#owner[this.#count] = slot;
    this.#count++;
  }

  /** Removes every template of a person; returns how many went. */
  removePerson(personId: string): number {
    const slot = this.#slotOf.get(personId);
    if (slot === undefined) return 0;
    const stride = this.#stride;
    let write = 0;
    for (let read = 0; read < this.#count; read++) {
      const owner = this.#owner[read]!;
      if (owner === slot) continue;
      if (write !== read) {
        this.#vectors.copyWithin(write * stride, read * stride, (read + 1) * stride);
      }
      // Slots above the removed one shift down by one, keeping #people dense.
      this.#owner[write] = owner > slot ? owner - 1 : owner;
      write++;
    }
    const removed = this.#count - write;
    this.#count = write;
    this.#people.splice(slot, 1);
    this.#slotOf.clear();
    this.#people.forEach((id, i) => this.#slotOf.set(id, i));
    return removed;
  }

  /** Best score per person, highest first; `query` must be unit length (l2Normalize it). */
  scores(query: ArrayLike<number>, limit = Infinity): PersonScore[] {
    const best = this.#scan(query);
    const out: PersonScore[] = [];
    for (let s = 0; s < this.#people.length; s++) {
      if (best[s]! > -Infinity) out.push({ personId: this.#people[s]!, score: best[s]! });
    }
    out.sort((a, b) => b.score - a.score);
    return out.slice(0, limit);
  }

  /**
   * Open-set identification: 'unknown' unless the best person clears the threshold and leads
   * the next person by the margin. Nearest-neighbour would name a stranger as somebody.
   */
  match(query: ArrayLike<number>, policy: MatchPolicy): MatchResult {
    if (this.#count === 0) return { kind: 'unknown', reason: 'no-templates', best: null, runnerUp: null };
    const best = this.#scan(query);
    let first = -1;
    let second = -1;
    for (let s = 0; s < this.#people.length; s++) {
      const v = best[s]!;
      if (first < 0 || v > best[first]!) {
        second = first;
        first = s;
      } else if (second < 0 || v > best[second]!) {
        second = s;
      }
    }
    const top: PersonScore = { personId: this.#people[first]!, score: best[first]! };
    const next: PersonScore | null = second >= 0 ? { personId: this.#people[second]!, score: best[second]! } : null;
    if (top.score < policy.threshold) return { kind: 'unknown', reason: 'below-threshold', best: top, runnerUp: next };
    const lead = top.score - (next?.score ?? -1);
    if (lead < policy.margin) return { kind: 'unknown', reason: 'ambiguous', best: top, runnerUp: next };
    return { kind: 'match', personId: top.personId, score: top.score, lead };
  }

  /** Fills the best-per-person scratch (a view, valid until the next add) and returns it. */
  #scan(query: ArrayLike<number>): Float32Array {
    const dim = this.dim;
    if (query.length !== dim) throw new RangeError(`query has ${query.length} values, index wants ${dim}`);
    const stride = this.#stride;
    const q = this.#query;
    q.set(query);
    q.fill(0, dim, stride);
    const best = this.#best;
    best.fill(-Infinity, 0, this.#people.length);
    if (this.#kernel) {
      const at = this.#at;
      this.#kernel.scan(at.rows, at.owner, this.#count, stride, at.query, at.best);
      return best;
    }
    const v = this.#vectors;
    let p = 0;
    for (let row = 0; row < this.#count; row++) {
      // Eight accumulators break the add dependency chain (5.7 -> 5.0 ms for 10k x 512 in V8).
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      let i = 0;
      for (; i + 8 <= stride; i += 8, p += 8) {
        s0 += v[p]! * q[i]!;
        s1 += v[p + 1]! * q[i + 1]!;
        s2 += v[p + 2]! * q[i + 2]!;
        s3 += v[p + 3]! * q[i + 3]!;
        s4 += v[p + 4]! * q[i + 4]!;
        s5 += v[p + 5]! * q[i + 5]!;
        s6 += v[p + 6]! * q[i + 6]!;
        s7 += v[p + 7]! * q[i + 7]!;
      }
      for (; i < stride; i++, p++) s0 += v[p]! * q[i]!;
      const s = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
      const owner = this.#owner[row]!;
      if (s > best[owner]!) best[owner] = s;
    }
    return best;
  }

  /**
   * Lays the block out for `capacity` rows: in wasm memory (grown, regions moved up in place)
   * when the kernel is wanted, else in a fresh ArrayBuffer. Capacity only grows, so every
   * region moves to the same or a higher offset; moving the last region first never overwrites
   * one that has not moved yet.
   */
  #reserve(capacity: number): void {
    const stride = this.#stride;
    const old = { ...this.#at };
    const oldCapacity = this.#capacity;
    const useWasm =
      this.#module !== null && (this.#kernel !== null || this.#wanted === 'wasm' || capacity * stride * 4 >= WASM_FROM_BYTES);
    if (useWasm && !this.#kernel) this.#kernel = this.#instantiate();
    const base = this.#kernel ? align16(this.#kernel.__heap_base.value as number) : 0;
    const at = { query: base, best: 0, owner: 0, rows: 0, end: 0 };
    at.best = align16(at.query + stride * 4);
    at.owner = align16(at.best + capacity * 4);
    at.rows = align16(at.owner + capacity * 4);
    at.end = at.rows + capacity * stride * 4;

    let buffer: ArrayBuffer;
    if (this.#kernel) {
      const memory = this.#kernel.memory;
      const need = Math.ceil(at.end / PAGE) - memory.buffer.byteLength / PAGE;
      if (need > 0) memory.grow(need);
      buffer = memory.buffer;
    } else {
      buffer = new ArrayBuffer(at.end);
    }
    // Growing wasm memory detaches the old buffer: within the same memory, move in place.
    const inPlace = this.#bufferIsWasm && this.#kernel !== null;
    const to = new Uint8Array(buffer);
    const from = inPlace ? to : new Uint8Array(this.#buffer);
    const move = (src: number, dst: number, bytes: number): void => {
      if (inPlace) to.copyWithin(dst, src, src + bytes);
      else to.set(from.subarray(src, src + bytes), dst);
    };
    // The query and best regions are scratch: nothing to keep.
    if (oldCapacity > 0) {
      move(old.rows, at.rows, this.#count * stride * 4);
      move(old.owner, at.owner, this.#count * 4);
    }
    this.#buffer = buffer;
    this.#bufferIsWasm = this.#kernel !== null;
    this.#capacity = capacity;
    this.#at = at;
    this.#query = new Float32Array(buffer, at.query, stride);
    this.#best = new Float32Array(buffer, at.best, capacity);
    this.#owner = new Int32Array(buffer, at.owner, capacity);
    this.#vectors = new Float32Array(buffer, at.rows, capacity * stride);
  }

  #instantiate(): KernelExports | null {
    try {
      return new WebAssembly.Instance(this.#module!).exports as unknown as KernelExports;
    } catch {
      return null; // e.g. out of address space for another memory: stay on the JS loop
    }
  }
}
