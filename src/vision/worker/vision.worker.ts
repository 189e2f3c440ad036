/**
 * The vision Web Worker: routes messages to VisionEngine (engine.ts). Start-up is load.ts,
 * pixels and snapshots frames.ts, photo decoding photo-decode.ts, counters stats.ts. Work runs
 * one item at a time on one chain; a frame that arrives while a frame is in work is closed and
 * counted, never queued; requests queue behind the current work and are never dropped.
 */
import { VisionEngine } from '../engine.ts';
import type { FaceModels } from '../models.ts';
import { analyseFrame, DEFAULT_PIPELINE } from '../pipeline.ts';
import type { InitOptions, MainToWorker, Requests, WorkerError, WorkerToMain } from '../protocol.ts';
import { confineToOrigin } from './confine.ts';
import { faceSnapshot, FrameReader, THUMBNAIL_PX } from './frames.ts';
import { errorText, loadModels, type Loaded } from './load.ts';
import { decodePhoto } from './photo-decode.ts';
import { WorkerStats } from './stats.ts';
import type { Box } from '../types.ts';

declare const self: DedicatedWorkerGlobalScope;

const post = (msg: WorkerToMain, transfer: Transferable[] = []): void => self.postMessage(msg, transfer);
const fail = (id: number, error: WorkerError): void => post({ type: 'reply', id, ok: false, error });

const emptyMetrics = { interEyePx: 0, yaw: 0, pitch: 0, rollDeg: 0, sharpness: 0, meanLuma: 0, lumaStd: 0, outside: 0 };

/** Requests that take the worker like a frame does: live frames arriving meanwhile are dropped. */
type Exclusive = Extract<MainToWorker, { type: 'request'; kind: 'analyse' | 'embedPhoto' }>;

type Ready = { engine: VisionEngine; models: FaceModels; loaded: Loaded };

class VisionWorker {
  #ready: Ready | null = null;
  #initialised = false;
  #busy = false;
  #chain: Promise<unknown> = Promise.resolve();
  readonly #cancelled = new Set<number>();
  readonly #frames = new FrameReader();
  readonly #stats = new WorkerStats(performance.now());
  readonly #blockedOrigins = new Set<string>();

  receive(msg: MainToWorker): void {
    switch (msg.type) {
      case 'init':
        if (this.#initialised) return;
        this.#initialised = true;
        this.#then(() => this.#init(msg.options));
        return;
      case 'frame': {
        const ready = this.#ready;
        if (this.#busy || !ready) {
          msg.bitmap.close();
          if (ready) this.#stats.dropped++;
          post({ type: 'frame-dropped', at: msg.at });
          return;
        }
        this.#busy = true;
        this.#then(() =>
          this.#frame(ready.engine, msg.bitmap, msg.at)
            .catch((err: unknown) => console.warn('[vision] frame failed', err))
            .finally(() => {
              msg.bitmap.close();
              this.#busy = false;
            }),
        );
        return;
      }
      case 'setTemplates':
        this.#then(() => this.#ready?.engine.setTemplates(msg.templates));
        return;
      case 'reset':
        this.#then(() => this.#ready?.engine.reset());
        return;
      case 'cancel':
        this.#cancelled.add(msg.id);
        this.#ready?.engine.cancelTask(msg.id);
        return;
      case 'request':
        this.#then(() => this.#request(msg));
        return;
    }
  }

  #then(work: () => unknown): void {
    this.#chain = this.#chain.then(work);
  }

  async #init(options: InitOptions): Promise<void> {
    const loaded = await loadModels(options, post);
    if (!loaded) return;
    this.#ready = { engine: new VisionEngine(loaded.models), models: loaded.models, loaded };
    post({ type: 'status', status: 'ready', provider: loaded.provider, detail: loaded.notes.join('; '), threads: loaded.threads, detector: loaded.models.detectorName });
    setInterval(() => {
      const stats = this.#stats.report(performance.now(), this.#ready?.engine.idle ?? false);
      if (stats) post({ type: 'stats', stats });
    }, options.statsEveryMs ?? 1000);
  }

  async #frame(engine: VisionEngine, bitmap: ImageBitmap, at: number): Promise<void> {
    const now = performance.now();
    if (engine.idle && !engine.probe(this.#frames.thumbnail(bitmap), now)) {
      this.#stats.skipped++;
      post({ type: 'frame-dropped', at });
      return;
    }
    const t0 = performance.now();
    const frame = this.#frames.pixels(bitmap);
    const decode = performance.now() - t0;
    const result = await engine.step(frame, now);
    this.#stats.record({ ...result.timings, decode });
    for (const ev of result.events) {
      switch (ev.type) {
        case 'face':
          post({ type: 'face', face: ev.face });
          break;
        case 'idle':
          post({ type: 'idle', idle: ev.idle });
          break;
        case 'evidence': {
          const jpeg = await faceSnapshot(bitmap, ev.box);
          post(
            { type: 'evidence', trackId: ev.trackId, evidence: ev.evidence, box: ev.box, ...(jpeg && { snapshotJpeg: jpeg }), ...(ev.unknownEmbedding && { unknownEmbedding: ev.unknownEmbedding }) },
            jpeg ? [jpeg.buffer] : [],
          );
          break;
        }
        case 'task-progress':
          post({ type: 'progress', id: ev.id, problems: ev.problems });
          break;
        case 'task-done':
          if (ev.kind === 'capture') {
            // The person's thumbnail comes from the very frame the template came from.
            const thumb = ev.result.ok ? await faceSnapshot(bitmap, ev.result.box, THUMBNAIL_PX) : undefined;
            const result = ev.result.ok && thumb ? { ...ev.result, thumbnailJpeg: thumb } : ev.result;
            post({ type: 'reply', id: ev.id, kind: 'capture', ok: true, result }, result.ok ? [result.embedding.buffer as ArrayBuffer, ...(thumb ? [thumb.buffer as ArrayBuffer] : [])] : []);
          }
          else post({ type: 'reply', id: ev.id, kind: 'blink', ok: true, result: ev.result });
          break;
      }
    }
    post({ type: 'frame-done', at, faces: result.faces, primary: result.primary, timings: { ...result.timings, decode } });
  }

  async #request(msg: Extract<MainToWorker, { type: 'request' }>): Promise<void> {
    const { id } = msg;
    const release = () => msg.kind === 'analyse' && msg.params.bitmap.close();
    if (this.#cancelled.delete(id)) {
      release();
      return fail(id, { code: 'cancelled', message: 'cancelled' });
    }
    const ready = this.#ready;
    if (!ready) {
      release();
      return fail(id, { code: 'not-ready', message: 'vision models are not loaded' });
    }
    try {
      if (msg.kind === 'analyse' || msg.kind === 'embedPhoto') await this.#exclusive(ready, msg);
      // Tasks run on the live frames; their reply comes from #frame.
      else {
        const options = msg.kind === 'capture' ? (msg.params.options ?? {}) : {};
        for (const e of ready.engine.startTask(id, msg.kind, performance.now(), msg.params.timeoutMs, options)) if (e.type === 'idle') post({ type: 'idle', idle: e.idle });
      }
    } catch (err) {
      fail(id, { code: 'failed', message: errorText(err) });
    }
  }

  /** Counts a request the confinement refused; said once per origin. */
  blocked(url: string, via: string): void {
    this.#stats.blocked++;
    const origin = URL.canParse(url) ? new URL(url).origin : url;
    if (!this.#blockedOrigins.has(origin)) {
      this.#blockedOrigins.add(origin);
      console.warn(`[vision] refused ${via} to ${origin}: nothing leaves the panel`);
    }
  }

  async #exclusive(ready: Ready, msg: Exclusive): Promise<void> {
    this.#busy = true;
    try {
      if (msg.kind === 'analyse') {
        const choice = msg.params.options.detector;
        const models = choice ? ready.models.withDetector(await ready.loaded.detector(choice)) : ready.models;
        post({ type: 'reply', id: msg.id, kind: 'analyse', ok: true, result: await analyse(models, this.#frames, msg.params) });
      } else {
        const photo = await decodePhoto(msg.params.image);
        const embedded: Requests['embedPhoto']['result'] = photo ? await ready.engine.embedPhoto(photo) : { ok: false, problems: ['unreadable'], faces: 0 };
        const thumb = embedded.ok ? await photoThumbnail(msg.params.image, embedded.box) : undefined;
        const result = embedded.ok && thumb ? { ...embedded, thumbnailJpeg: thumb } : embedded;
        post({ type: 'reply', id: msg.id, kind: 'embedPhoto', ok: true, result }, result.ok ? [result.embedding.buffer as ArrayBuffer, ...(thumb ? [thumb.buffer as ArrayBuffer] : [])] : []);
      }
    } finally {
      if (msg.kind === 'analyse') msg.params.bitmap.close();
      this.#busy = false;
    }
  }
}

async function analyse(models: FaceModels, frames: FrameReader, params: Requests['analyse']['params']): Promise<Requests['analyse']['result']> {
  const frame = frames.pixels(params.bitmap);
  const o = params.options;
  if (o.detectOnly) {
    const t0 = performance.now();
    const faces = await models.detect(frame);
    const detect = performance.now() - t0;
    return {
      faces: faces.map((d) => ({ box: d.box, score: d.score, landmarks: [], five: [], quality: { ok: false, reasons: [], metrics: emptyMetrics } })),
      timings: { detect, landmark: 0, quality: 0, liveness: 0, embed: 0, eyes: 0, total: detect },
      provider: models.provider,
      detector: models.detectorName,
    };
  }
  return analyseFrame(models, frame, { ...DEFAULT_PIPELINE, ...o });
}

const worker = new VisionWorker();
// Before anything else loads: no library in this worker may reach another origin.
confineToOrigin(self, (url, via) => worker.blocked(url, via));
self.onmessage = (ev: MessageEvent<MainToWorker>) => worker.receive(ev.data);

/** The photo's face as a thumbnail: decoded again (the pixels used for the template are gone) and dropped at once. */
async function photoThumbnail(image: Blob, box: Box): Promise<Uint8Array | undefined> {
  try {
    const bitmap = await createImageBitmap(image, { imageOrientation: 'from-image' });
    try {
      return await faceSnapshot(bitmap, box, THUMBNAIL_PX);
    } finally {
      bitmap.close();
    }
  } catch {
    return undefined;
  }
}
