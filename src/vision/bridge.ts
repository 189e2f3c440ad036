/**
 * The only place that talks to the vision worker (STYLE item 8). The worker starts on first
 * use; requests are numbered, each may carry an AbortSignal (abort -> a `cancel` to the worker
 * and an AbortError here); events fan out to listeners. The UI never calls postMessage.
 */
import type { InitOptions, MainToWorker, RequestKind, Requests, WorkerError, WorkerToMain } from './protocol.ts';

export type WorkerFactory = () => Worker;

export const defaultWorker: WorkerFactory = () => new Worker(new URL('./worker/vision.worker.ts', import.meta.url), { type: 'module', name: 'vision' });

export const DEFAULT_INIT: InitOptions = { modelBase: '/models/', wasmBase: '/ort/' };

/** A worker-side failure with its typed code. */
export class VisionError extends Error {
  readonly code: WorkerError['code'];
  constructor(error: WorkerError) {
    super(error.message);
    this.name = 'VisionError';
    this.code = error.code;
  }
}

type Listener = (msg: WorkerToMain) => void;

interface Pending {
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
  readonly onProgress?: (problems: readonly string[]) => void;
  readonly cleanup: () => void;
}

const abortError = (signal: AbortSignal): unknown => signal.reason ?? new DOMException('aborted', 'AbortError');

export class VisionBridge {
  readonly #factory: WorkerFactory;
  readonly #init: InitOptions;
  #worker: Worker | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Set<Listener>();

  constructor(init: Partial<InitOptions> = {}, factory: WorkerFactory = defaultWorker) {
    this.#init = { ...DEFAULT_INIT, ...init };
    this.#factory = factory;
  }

  get started(): boolean {
    return this.#worker !== null;
  }

  /** Starts the worker (and model loading) if it is not running yet. */
  start(): void {
    this.#ensure();
  }

  on(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Transfers the bitmap: the caller must not use it afterwards. */
  sendFrame(bitmap: ImageBitmap, at: number): void {
    this.#post({ type: 'frame', bitmap, at }, [bitmap]);
  }

  setTemplates(templates: Extract<MainToWorker, { type: 'setTemplates' }>['templates']): void {
    this.#post({ type: 'setTemplates', templates });
  }

  reset(): void {
    if (this.#worker) this.#post({ type: 'reset' });
  }

  request<K extends RequestKind>(
    kind: K,
    params: Requests[K]['params'],
    opts: { signal?: AbortSignal; onProgress?: (problems: readonly string[]) => void } = {},
  ): Promise<Requests[K]['result']> {
    const { signal } = opts;
    const transfer: Transferable[] = 'bitmap' in params ? [params.bitmap] : [];
    if (signal?.aborted) {
      for (const t of transfer) (t as ImageBitmap).close();
      return Promise.reject(abortError(signal));
    }
    const id = this.#nextId++;
    return new Promise<Requests[K]['result']>((resolve, reject) => {
      const onAbort = () => {
        this.#pending.delete(id);
        this.#worker?.postMessage({ type: 'cancel', id } satisfies MainToWorker);
        reject(abortError(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        resolve: resolve as (v: unknown) => void,
        reject,
        ...(opts.onProgress && { onProgress: opts.onProgress }),
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      });
      this.#post({ type: 'request', id, kind, params } as MainToWorker, transfer);
    });
  }

  terminate(): void {
    this.#worker?.terminate();
    this.#worker = null;
    for (const [, p] of this.#pending) {
      p.cleanup();
      p.reject(new VisionError({ code: 'failed', message: 'vision worker stopped' }));
    }
    this.#pending.clear();
  }

  #post(msg: MainToWorker, transfer: Transferable[] = []): void {
    this.#ensure().postMessage(msg, transfer);
  }

  #ensure(): Worker {
    if (this.#worker) return this.#worker;
    const worker = this.#factory();
    worker.onmessage = (ev: MessageEvent<WorkerToMain>) => this.#receive(ev.data);
    worker.onerror = (ev) => {
      const message = ev.message || 'vision worker failed to start';
      this.#emit({ type: 'status', status: 'error', provider: null, detail: message, threads: 0, error: { code: 'failed', message } });
    };
    worker.postMessage({ type: 'init', options: this.#init } satisfies MainToWorker);
    this.#worker = worker;
    return worker;
  }

  #receive(msg: WorkerToMain): void {
    if (msg.type === 'reply') {
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      p.cleanup();
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new VisionError(msg.error));
      return;
    }
    if (msg.type === 'progress') {
      this.#pending.get(msg.id)?.onProgress?.(msg.problems);
      return;
    }
    if (msg.type === 'status' && msg.error) {
      // Requests cannot be answered by a worker without models.
      for (const [, p] of this.#pending) {
        p.cleanup();
        p.reject(new VisionError(msg.error));
      }
      this.#pending.clear();
    }
    this.#emit(msg);
  }

  #emit(msg: WorkerToMain): void {
    for (const l of this.#listeners) {
      try {
        l(msg);
      } catch (err) {
        console.error('[vision] listener failed', err);
      }
    }
  }
}
