/**
 * Main-thread face of the vision worker, for the kiosk and the admin area: grabs frames from the
 * camera track at the worker's rate (full rate while someone is there, a few fps when idle),
 * transfers them, and turns the worker's messages into reactive state and callbacks.
 *
 *   const vision = new VisionSession();            // nothing starts until used
 *   const stop = vision.start(stream);             // frames flow; returns its own teardown
 *   vision.onFace((e) => kiosk.dispatch(e));       // faceTracked / faceLost, FlowEvent-shaped
 *   vision.onEvidence(({ evidence, snapshotJpeg }) => gatekeeper.face(evidence, snapshotJpeg));
 *   vision.setTemplates((await people.templates()).templates);
 */
import type { FaceEvidence } from './evidence.ts';
import { VisionBridge } from './bridge.ts';
import { coachingText } from './coaching.ts';
import type { BlinkResult, CaptureOptions, CaptureProblem, CaptureResult, FaceEvent, TemplateSet } from './engine.ts';
import type { PhotoResult } from './photo.ts';
import type { Provider, StageStats, VisionStats, VisionStatus, WorkerToMain } from './protocol.ts';
import { trace } from './trace.ts';
import type { QualityReason } from './quality.ts';
import type { Box } from './types.ts';

export interface EvidenceEvent {
  readonly trackId: number;
  readonly evidence: FaceEvidence;
  /** A small JPEG of the face, for the access log. */
  readonly snapshotJpeg?: Uint8Array;
  /** Only for a face nobody enrolled matched: lets insight recognise a frequent visitor. */
  readonly unknownEmbedding?: Float32Array;
}

export interface PrimaryFace {
  readonly trackId: number;
  readonly box: Box;
  readonly stable: boolean;
  readonly frameWidth: number;
  readonly frameHeight: number;
  /** Why the camera cannot use this face yet (the gate's reasons); empty when it can. */
  readonly problems: readonly QualityReason[];
}

export interface SessionOptions {
  /** Frames per second offered where the browser cannot say when a camera frame is new (no requestVideoFrameCallback). */
  readonly activeFps: number;
  /** Frames per second in idle mode (motion check only). */
  readonly idleFps: number;
  /** Frames are scaled down to this width at most before they are transferred. */
  readonly maxWidth: number;
}

export const DEFAULT_SESSION: SessionOptions = { activeFps: 30, idleFps: 4, maxWidth: 640 };

export class VisionSession {
  readonly #bridge: VisionBridge;
  readonly #o: SessionOptions;
  #status = $state<VisionStatus>('loading');
  #provider = $state<Provider | null>(null);
  #detector = $state('');
  #detail = $state('');
  #threads = $state(0);
  #stats = $state<VisionStats | null>(null);
  #idle = $state(false);
  #primary = $state<PrimaryFace | null>(null);
  /** Faces in the last analysed frame (not reactive: read when an attempt is decided). */
  #faces = 0;
  #lastEvidence = $state<EvidenceEvent | null>(null);
  #frameSize = { width: 0, height: 0 };
  /** A frame is with the worker and its frame-done has not come back yet. */
  #awaitingFrame = false;
  #frameAnswered: () => void = () => undefined;
  readonly #faceListeners = new Set<(e: FaceEvent) => void>();
  readonly #evidenceListeners = new Set<(e: EvidenceEvent) => void>();

  constructor(bridge: VisionBridge = new VisionBridge(), options: Partial<SessionOptions> = {}) {
    this.#bridge = bridge;
    this.#o = { ...DEFAULT_SESSION, ...options };
    bridge.on((m) => this.#receive(m));
  }

  get status(): VisionStatus {
    return this.#status;
  }
  get provider(): Provider | null {
    return this.#provider;
  }
  /** Why the preferred provider was not used, or what went wrong. */
  get detail(): string {
    return this.#detail;
  }
  get threads(): number {
    return this.#threads;
  }
  /** The face detector on the live path ('mediapipe-full/CPU', or 'fr_detect' as the fallback). */
  get detector(): string {
    return this.#detector;
  }
  /**
   * What to tell the person in front of the camera so their face can be used (face the camera,
   * come closer, more light), or null: the door screen shows it while a face is seen.
   */
  get coaching(): string | null {
    return this.#primary ? coachingText(this.#primary.problems) : null;
  }
  /** Per-stage latency (ms): last, median and p95 over the last ~120 frames. */
  get timings(): Partial<Record<string, StageStats>> {
    return this.#stats?.timings ?? {};
  }
  get fps(): number {
    return this.#stats?.fps ?? 0;
  }
  get stats(): VisionStats | null {
    return this.#stats;
  }
  get idle(): boolean {
    return this.#idle;
  }
  get faces(): number {
    return this.#faces;
  }

  get primary(): PrimaryFace | null {
    return this.#primary;
  }
  get lastEvidence(): EvidenceEvent | null {
    return this.#lastEvidence;
  }

  /** Loads the models without a camera (admin page, warm-up). */
  preload(): void {
    this.#bridge.start();
  }

  onFace(cb: (e: FaceEvent) => void): () => void {
    this.#faceListeners.add(cb);
    return () => this.#faceListeners.delete(cb);
  }

  onEvidence(cb: (e: EvidenceEvent) => void): () => void {
    this.#evidenceListeners.add(cb);
    return () => this.#evidenceListeners.delete(cb);
  }

  setTemplates(list: readonly TemplateSet[]): void {
    this.#bridge.setTemplates(list.map((p) => ({ personId: p.personId, embeddings: [...p.embeddings] })));
  }

  /**
   * Guided enrolment: the next good face's embedding (in the pose asked for, from a frame after
   * `options.after`), or what is wrong (problems, live through onProgress).
   */
  captureTemplate(signal?: AbortSignal, onProgress?: (problems: readonly CaptureProblem[]) => void, timeoutMs = 4_000, options: CaptureOptions = {}): Promise<CaptureResult> {
    return this.#bridge.request('capture', { timeoutMs, options }, { ...(signal && { signal }), ...(onProgress && { onProgress: onProgress as (p: readonly string[]) => void }) });
  }

  /** Active liveness: resolves { blinked } once the person at the door blinks, or false after the time. */
  checkBlink(signal?: AbortSignal, timeoutMs = 5_000): Promise<BlinkResult> {
    return this.#bridge.request('blink', { timeoutMs }, signal ? { signal } : {});
  }

  /**
   * Enrolment from a photo (e.g. taken on an admin's phone): the worker decodes it, takes the
   * clearly largest face through the quality gate and embeds it; the image is not kept anywhere.
   * Queued behind the live frame in work, so it can run while the camera is streaming.
   */
  embedPhoto(image: Uint8Array | Blob, signal?: AbortSignal): Promise<PhotoResult> {
    const blob = image instanceof Blob ? image : new Blob([new Uint8Array(image)], { type: sniffImageType(image) });
    return this.#bridge.request('embedPhoto', { image: blob }, signal ? { signal } : {});
  }

  /**
   * Streams the camera track to the worker until the returned function is called. One frame is
   * in flight at a time, and the next one is the freshest: each new camera frame
   * (requestVideoFrameCallback) goes to the worker at once when it is free, or as soon as it
   * answers (frame-done), never queued behind older ones. A frame waits neither for a timer tick
   * nor in a queue: that is camera latency taken off every analysed frame. In idle mode frames go
   * at `idleFps` only.
   */
  start(stream: MediaStream): () => void {
    this.#bridge.start();
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    void video.play().catch(() => undefined);
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let grabbing = false;
    let sentAt = -Infinity;
    /** A frame was sent and its frame-done is not back (a frame the worker drops never answers: 1 s at most). */
    const inFlight = () => performance.now() - sentAt < 1_000 && this.#awaitingFrame;
    let waiting = false;

    const grab = async () => {
      if (stopped || grabbing || this.#status !== 'ready' || video.readyState < 2 || video.videoWidth === 0) return;
      grabbing = true;
      const started = performance.now();
      try {
        const scale = Math.min(1, this.#o.maxWidth / video.videoWidth);
        const width = Math.round(video.videoWidth * scale);
        const height = Math.round(video.videoHeight * scale);
        const bitmap = await createImageBitmap(video, scale < 1 ? { resizeWidth: width, resizeHeight: height, resizeQuality: 'low' } : {});
        this.#frameSize = { width: bitmap.width, height: bitmap.height };
        if (stopped) bitmap.close();
        else {
          this.#awaitingFrame = true;
          sentAt = started;
          this.#bridge.sendFrame(bitmap, started);
        }
      } catch (err) {
        console.warn('[vision] frame grab failed', err);
      } finally {
        grabbing = false;
      }
    };
    /** A new camera frame (or a timer tick where the browser cannot say): send it if the worker is free. */
    const offer = () => {
      if (stopped) return;
      if (this.#idle && performance.now() - sentAt < 1000 / this.#o.idleFps) return;
      if (inFlight()) waiting = true;
      else void grab();
    };
    this.#frameAnswered = () => {
      if (!waiting || stopped) return;
      waiting = false;
      void grab();
    };
    if ('requestVideoFrameCallback' in video) {
      const onFrame = () => {
        if (stopped) return;
        offer();
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    } else {
      const tick = () => {
        offer();
        if (!stopped) timer = setTimeout(tick, 1000 / this.#o.activeFps);
      };
      tick();
    }

    return () => {
      stopped = true;
      clearTimeout(timer);
      this.#frameAnswered = () => undefined;
      video.pause();
      video.srcObject = null;
      this.#primary = null;
    };
  }

  /** Stops the worker; the next use starts a fresh one (tests, model updates). */
  reset(): void {
    this.#bridge.terminate();
    this.#status = 'loading';
    this.#provider = null;
    this.#stats = null;
    this.#idle = false;
    this.#primary = null;
    this.#lastEvidence = null;
  }

  #receive(m: WorkerToMain): void {
    switch (m.type) {
      case 'status':
        this.#status = m.status;
        this.#provider = m.provider;
        this.#detector = m.detector ?? '';
        this.#detail = m.detail;
        this.#threads = m.threads;
        return;
      case 'face':
        if (m.face.type === 'faceLost') this.#primary = null;
        trace({ kind: 'face', face: m.face.type === 'faceLost' ? 'lost' : m.face.stable ? 'stable' : 'tracked', trackId: m.face.type === 'faceLost' ? null : m.face.trackId });
        for (const cb of this.#faceListeners) cb(m.face);
        return;
      case 'evidence': {
        trace({ kind: 'evidence', trackId: m.trackId, personId: m.evidence.match.personId });
        const e: EvidenceEvent = { trackId: m.trackId, evidence: m.evidence, ...(m.snapshotJpeg && { snapshotJpeg: m.snapshotJpeg }), ...(m.unknownEmbedding && { unknownEmbedding: m.unknownEmbedding }) };
        this.#lastEvidence = e;
        for (const cb of this.#evidenceListeners) cb(e);
        return;
      }
      case 'idle':
        this.#idle = m.idle;
        return;
      case 'stats':
        this.#stats = m.stats;
        this.#idle = m.stats.idle;
        return;
      case 'frame-dropped':
        this.#awaitingFrame = false;
        this.#frameAnswered();
        return;
      case 'frame-done':
        this.#awaitingFrame = false;
        this.#frameAnswered();
        this.#faces = m.faces;
        this.#primary = m.primary ? { ...m.primary, problems: m.primary.problems ?? [], frameWidth: this.#frameSize.width, frameHeight: this.#frameSize.height } : null;
        trace({ kind: 'frame', at: m.at, faces: m.faces, stable: m.primary?.stable ?? null, timings: m.timings ?? {} });
        return;
      default:
        return;
    }
  }
}

/** The MIME type from the first bytes (createImageBitmap sniffs anyway; this keeps the Blob honest). */
function sniffImageType(b: Uint8Array): string {
  if (b[0] === 0xff && b[1] === 0xd8) return 'image/jpeg';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45) return 'image/webp';
  return 'application/octet-stream';
}
