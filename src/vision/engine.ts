import type { FaceEvidence } from './evidence.ts';
import { agree } from './agreement.ts';
import type { Detection } from './detect.ts';
import { EMBEDDING_DIM } from './embedding.ts';
import { startBlink, stepBlink, type BlinkState } from './eyes.ts';
import { lookAtFace, type FaceLook } from './look.ts';
import { TemplateIndex, type MatchResult, type PersonScore } from './matcher.ts';
import type { FaceModels } from './models.ts';
import { MotionDetector } from './motion.ts';
import { embedPhoto, type PhotoResult } from './photo.ts';
import { rankProblems } from './coaching.ts';
import { fuseLiveness } from './liveness.ts';
import { poseProblem, type PoseProblem, type PoseTarget } from './pose.ts';
import { DEFAULT_QUALITY, qualityScore, type QualityReason, type QualityReport, type QualityThresholds } from './quality.ts';
import { LIVENESS_POLICY, MATCH_AGREEMENT, MATCH_POLICY } from './thresholds.ts';
import { FaceTracker, type Track } from './tracker.ts';
import type { Box, RgbaImage } from './types.ts';

/**
 * The live door loop, one frame at a time, as plain logic over injected models and time (no
 * DOM, no worker API): detect + track every frame; landmarks, the quality gate, liveness,
 * embedding and matching from a track's first frame that passes the gate, until multi-frame
 * agreement gives one piece of evidence per face (again after a cool-down if the face stays).
 * Judging does not wait for the track to be stable: the agreement's three frames are the proof
 * that a face stayed, and waiting for stability first cost a whole frame at the door. Idle mode
 * and the enrolment / blink tasks live here too. The worker is a shell around it; Node tests
 * drive it with the real models.
 */

export type Stage = 'decode' | 'detect' | 'census' | 'landmark' | 'quality' | 'liveness' | 'embed' | 'match' | 'eyes' | 'total';
export type Timings = Partial<Record<Stage, number>>;

export type FaceEvent = { readonly type: 'faceTracked'; readonly trackId: number; readonly stable: boolean } | { readonly type: 'faceLost' };

export interface TemplateSet {
  readonly personId: string;
  readonly embeddings: readonly Float32Array[];
}

export type CaptureProblem = QualityReason | PoseProblem | 'no-face' | 'timed-out';

/** What a capture waits for besides a good picture. */
export interface CaptureOptions {
  /** The head pose to capture (guided enrolment); any pose the gate passes when absent. */
  readonly pose?: PoseTarget;
  /** Only a frame after this one (`CaptureResult.frame` of the previous capture): distinct frames. */
  readonly after?: number;
}

export type CaptureResult =
  | {
      readonly ok: true;
      readonly embedding: Float32Array;
      /** 0..1, see qualityScore. */
      readonly quality: number;
      /** Passive liveness fused over the frames of this face's track so far (fuseLiveness). */
      readonly liveness: number;
      readonly problems: readonly [];
      /** The frame it came from (engine frame number) and the face's measured pose there. */
      readonly frame: number;
      readonly trackId: number;
      readonly yaw: number;
      readonly pitch: number;
      /** The face already matches this enrolled person at the operating threshold. */
      readonly alreadyEnrolledAs: PersonScore | null;
      /** The face, in the frame's pixels. */
      readonly box: Box;
      /** A 96 px JPEG of the face, added by the worker (the engine has no encoder): the person's thumbnail. */
      readonly thumbnailJpeg?: Uint8Array;
    }
  | { readonly ok: false; readonly quality: number; readonly problems: readonly CaptureProblem[] };

export interface BlinkResult {
  readonly blinked: boolean;
  readonly trackId: number | null;
}

export type TaskKind = 'capture' | 'blink';
export type TaskResult<K extends TaskKind = TaskKind> = K extends 'capture' ? CaptureResult : BlinkResult;

export type EngineEvent =
  | { readonly type: 'face'; readonly face: FaceEvent }
  /** unknownEmbedding: for an unrecognised face only, so insight can tell a frequent visitor (kept on the panel). */
  | { readonly type: 'evidence'; readonly trackId: number; readonly evidence: FaceEvidence; readonly box: Box; readonly unknownEmbedding?: Float32Array }
  | { readonly type: 'idle'; readonly idle: boolean }
  | { readonly type: 'task-progress'; readonly id: number; readonly problems: readonly CaptureProblem[] }
  | { readonly type: 'task-done'; readonly id: number; readonly kind: 'capture'; readonly result: CaptureResult }
  | { readonly type: 'task-done'; readonly id: number; readonly kind: 'blink'; readonly result: BlinkResult };

export interface EngineOptions {
  /** Consecutive frames a track needs before it counts as stable. */
  readonly stableHits: number;
  /** No face for this long: drop to idle mode. */
  readonly idleAfterMs: number;
  /** In idle mode, run the detector on a frame this often even without motion. */
  readonly idleDetectEveryMs: number;
  /** No detection for this long: the face is lost. */
  readonly lostAfterMs: number;
  /** After evidence for a face, wait this long before judging the same face again. */
  readonly evidenceCooldownMs: number;
  readonly quality: QualityThresholds;
  /**
   * With a second detector for the head count (FaceModels `census`): how often it looks at the
   * whole frame while a face is there, besides the first frame of every new face.
   */
  readonly censusEveryMs: number;
  /** A census count is trusted for this long. */
  readonly censusFreshMs: number;
}

export const DEFAULT_ENGINE: EngineOptions = {
  stableHits: 2,
  idleAfterMs: 3_000,
  idleDetectEveryMs: 2_000,
  lostAfterMs: 600,
  evidenceCooldownMs: 5_000,
  quality: DEFAULT_QUALITY,
  censusEveryMs: 1_000,
  censusFreshMs: 1_500,
};

export interface StepResult {
  readonly events: EngineEvent[];
  readonly timings: Timings;
  readonly faces: number;
  /** The primary face's box, for an overlay. */
  readonly primary: PrimaryFace | null;
}

export interface PrimaryFace {
  readonly trackId: number;
  readonly box: Box;
  readonly stable: boolean;
  /** Why the gate refused this frame's face (what to tell the visitor); absent when it passed or was not looked at. */
  readonly problems?: readonly QualityReason[];
}

/** Passive scores kept per track for fusion (about two attempts' worth). */
const LIVENESS_FRAMES = 10;

interface Analysed {
  readonly match: MatchResult;
  readonly liveness: number;
}

interface Attempt {
  readonly trackId: number;
  qualityOk: boolean;
  results: Analysed[];
  cooldownUntil: number;
  /** Every passive score of this track, across attempts, newest last. */
  liveness: number[];
}

type Task =
  | { readonly kind: 'capture'; readonly id: number; readonly deadline: number; problems: CaptureProblem[]; readonly options: CaptureOptions }
  | { readonly kind: 'blink'; readonly id: number; readonly deadline: number; state: BlinkState | null; trackId: number | null };

export class VisionEngine {
  readonly #models: FaceModels;
  readonly #o: EngineOptions;
  readonly #clock: () => number;
  readonly #tracker = new FaceTracker<Detection>();
  readonly #motion = new MotionDetector();
  #index = new TemplateIndex(EMBEDDING_DIM);
  #attempt: Attempt | null = null;
  #announced: { trackId: number; stable: boolean } | null = null;
  #lastFaceAt: number | null = null;
  #lastDetectAt = -Infinity;
  #idle = false;
  #tasks = new Map<number, Task>();
  #frameNo = 0;
  #census: { at: number; faces: number } | null = null;

  /** `clock` times the stages (performance.now in the worker); frame times come with each frame. */
  constructor(models: FaceModels, options: Partial<EngineOptions> = {}, clock: () => number = () => performance.now()) {
    this.#models = models;
    this.#o = { ...DEFAULT_ENGINE, ...options };
    this.#clock = clock;
  }

  get idle(): boolean {
    return this.#idle;
  }

  get provider(): string {
    return this.#models.provider;
  }

  get templateCount(): number {
    return this.#index.size;
  }

  setTemplates(list: readonly TemplateSet[]): void {
    const count = list.reduce((n, p) => n + p.embeddings.length, 0);
    const index = new TemplateIndex(EMBEDDING_DIM, Math.max(16, count));
    for (const p of list) for (const e of p.embeddings) index.add(p.personId, e);
    this.#index = index;
    // Votes cast against the old set mean nothing now.
    if (this.#attempt) this.#attempt = { ...this.#attempt, results: [], cooldownUntil: 0 };
  }

  /**
   * Idle mode only: feed the motion thumbnail (grey, MOTION_SIZE). True means "run step() on
   * this frame" (motion, or the periodic safety check is due); false means skip it.
   */
  probe(grey: Uint8Array, now: number): boolean {
    if (!this.#idle) return true;
    const moved = this.#motion.update(grey);
    return moved || now - this.#lastDetectAt >= this.#o.idleDetectEveryMs;
  }

  startTask(id: number, kind: TaskKind, now: number, timeoutMs: number, options: CaptureOptions = {}): EngineEvent[] {
    const deadline = now + timeoutMs;
    this.#tasks.set(id, kind === 'capture' ? { kind, id, deadline, problems: [], options } : { kind, id, deadline, state: null, trackId: null });
    return this.#wake();
  }

  cancelTask(id: number): void {
    this.#tasks.delete(id);
  }

  /**
   * Enrolment from a still photo (photo.ts): the clearly largest face, gated, aligned and
   * embedded, checked against the enrolled templates. Leaves the live state (tracks, votes,
   * tasks, idle) untouched, so it can run between camera frames.
   */
  embedPhoto(photo: RgbaImage): Promise<PhotoResult> {
    return embedPhoto(this.#models, photo, this.#index, this.#o.quality);
  }

  reset(): void {
    this.#tracker.reset();
    this.#motion.reset();
    this.#attempt = null;
    this.#announced = null;
    this.#lastFaceAt = null;
    this.#idle = false;
    this.#tasks.clear();
    this.#census = null;
  }

  async step(frame: RgbaImage, now: number): Promise<StepResult> {
    const timings: Timings = {};
    const t0 = this.#clock();
    const timed = async <R>(stage: Stage, f: () => Promise<R> | R): Promise<R> => {
      const s = this.#clock();
      try {
        return await f();
      } finally {
        timings[stage] = (timings[stage] ?? 0) + this.#clock() - s;
      }
    };
    const events: EngineEvent[] = [];
    const frameNo = ++this.#frameNo;
    this.#lastFaceAt ??= now;
    this.#lastDetectAt = now;

    const detections = await timed('detect', () => this.#models.detect(frame));
    const tracks = this.#tracker.update(detections, now, frame);
    const primary = tracks[0];
    const faces = await this.#headCount(frame, detections.length, primary, now, timed);
    if (primary) {
      this.#lastFaceAt = now;
      events.push(...this.#wake());
    }

    let stable = false;
    let look: FaceLook | null = null;
    if (primary) {
      if (this.#attempt?.trackId !== primary.id) this.#attempt = { trackId: primary.id, qualityOk: false, results: [], cooldownUntil: 0, liveness: [] };
      const attempt = this.#attempt;
      const ready = primary.hits >= this.#o.stableHits;
      const judging = now >= attempt.cooldownUntil;
      const capturing = [...this.#tasks.values()].some((t) => t.kind === 'capture');
      if (judging || (ready && capturing)) {
        look = await lookAtFace(this.#models, frame, primary.box, this.#o.quality, timed);
        if (look.quality.ok) attempt.qualityOk = true;
      }
      stable = ready && attempt.qualityOk;
      if (this.#announced?.trackId !== primary.id || this.#announced.stable !== stable) {
        this.#announced = { trackId: primary.id, stable };
        events.push({ type: 'face', face: { type: 'faceTracked', trackId: primary.id, stable } });
      }
      if (judging && look?.quality.ok) {
        const judged = await this.#judge(frame, primary, look, attempt, now, timed);
        if (judged) {
          const { evidence, embedding } = judged;
          events.push({ type: 'evidence', trackId: primary.id, evidence, box: primary.box, ...(evidence.match.personId === null ? { unknownEmbedding: embedding } : {}) });
        }
      }
    } else if (this.#announced && now - (this.#lastFaceAt ?? now) > this.#o.lostAfterMs) {
      this.#announced = null;
      this.#attempt = null;
      events.push({ type: 'face', face: { type: 'faceLost' } });
    }

    events.push(...(await this.#runTasks(frame, frameNo, primary ?? null, look, now, timed)));

    if (!primary && !this.#idle && this.#tasks.size === 0 && now - (this.#lastFaceAt ?? now) >= this.#o.idleAfterMs) {
      this.#idle = true;
      this.#motion.reset();
      events.push({ type: 'idle', idle: true });
    }
    timings.total = this.#clock() - t0;
    return {
      events,
      timings,
      faces,
      primary: primary ? { trackId: primary.id, box: primary.box, stable, ...(look && !look.quality.ok && { problems: look.quality.reasons }) } : null,
    };
  }

  /**
   * Faces in the picture, for tailgating: the live detector's count, or more when the census
   * detector (which sees further: fr_detect next to BlazeFace) counted more in the last moment.
   * It looks when a new face arrives and then every censusEveryMs while someone is there.
   */
  async #headCount(frame: RgbaImage, live: number, primary: Track<Detection> | undefined, now: number, timed: <R>(s: Stage, f: () => Promise<R> | R) => Promise<R>): Promise<number> {
    if (!this.#models.hasCensus) return live;
    const due = primary !== undefined && (primary.hits === 1 || !this.#census || now - this.#census.at >= this.#o.censusEveryMs);
    if (due) {
      const counted = await timed('census', () => this.#models.census(frame));
      this.#census = { at: now, faces: counted.length };
    }
    const fresh = this.#census && now - this.#census.at <= this.#o.censusFreshMs ? this.#census.faces : 0;
    return Math.max(live, fresh);
  }

  #wake(): EngineEvent[] {
    if (!this.#idle) return [];
    this.#idle = false;
    return [{ type: 'idle', idle: false }];
  }

  async #judge(
    frame: RgbaImage,
    face: Track<Detection>,
    look: FaceLook,
    attempt: Attempt,
    now: number,
    timed: <R>(s: Stage, f: () => Promise<R> | R) => Promise<R>,
  ): Promise<{ evidence: FaceEvidence; embedding: Float32Array } | null> {
    const liveness = await timed('liveness', () => this.#models.liveness(frame, face.box));
    const embedding = await timed('embed', () => this.#models.embedAligned(look.aligned));
    const match = await timed('match', () => this.#index.match(embedding, MATCH_POLICY));
    attempt.results.push({ match, liveness });
    this.#scored(attempt, liveness);
    if (attempt.results.length > MATCH_AGREEMENT.window) attempt.results.shift();
    const results = attempt.results;
    const agreement = agree(
      results.map((r) => r.match),
      MATCH_AGREEMENT,
    );
    const noTemplates = match.kind === 'unknown' && match.reason === 'no-templates';
    const full = results.length >= (noTemplates ? MATCH_AGREEMENT.need : MATCH_AGREEMENT.window);
    if (agreement.kind !== 'agreed' && !full) return null;

    // The track's frames vote together: this attempt's and any before it (a face that stayed).
    const passive = fuseLiveness(attempt.liveness);
    let evidence: FaceEvidence;
    if (agreement.kind === 'agreed') {
      const leads = results.flatMap((r) => (r.match.kind === 'match' && r.match.personId === agreement.personId ? [r.match.lead] : []));
      evidence = {
        match: { personId: agreement.personId, score: agreement.meanScore, margin: Math.min(...leads), agreedFrames: agreement.votes },
        liveness: { passive, active: null },
      };
    } else {
      // The closest anyone came (0 with no templates at all), for the log and the risk score.
      let best: { score: number; margin: number } | null = null;
      for (const r of results) {
        const m = r.match;
        const s = m.kind === 'match' ? { score: m.score, margin: m.lead } : m.best ? { score: m.best.score, margin: m.best.score - (m.runnerUp?.score ?? -1) } : null;
        if (s && (!best || s.score > best.score)) best = s;
      }
      evidence = { match: { personId: null, score: best?.score ?? 0, margin: best?.margin ?? 0, agreedFrames: 0 }, liveness: { passive, active: null } };
    }
    attempt.results = [];
    attempt.cooldownUntil = now + this.#o.evidenceCooldownMs;
    return { evidence, embedding };
  }

  #scored(attempt: Attempt, liveness: number): void {
    attempt.liveness.push(liveness);
    if (attempt.liveness.length > LIVENESS_FRAMES) attempt.liveness.shift();
  }

  async #runTasks(
    frame: RgbaImage,
    frameNo: number,
    primary: Track<Detection> | null,
    look: FaceLook | null,
    now: number,
    timed: <R>(s: Stage, f: () => Promise<R> | R) => Promise<R>,
  ): Promise<EngineEvent[]> {
    const events: EngineEvent[] = [];
    for (const task of [...this.#tasks.values()]) {
      if (task.kind === 'capture') {
        if (now > task.deadline) {
          this.#tasks.delete(task.id);
          const problems: CaptureProblem[] = [...new Set<CaptureProblem>([...task.problems, 'timed-out'])];
          events.push({ type: 'task-done', id: task.id, kind: 'capture', result: { ok: false, quality: 0, problems } });
          continue;
        }
        if (!primary || !look) {
          task.problems = primary ? [] : ['no-face'];
          if (!primary) events.push({ type: 'task-progress', id: task.id, problems: task.problems });
          continue;
        }
        // Each capture from a frame of its own.
        if (task.options.after !== undefined && frameNo <= task.options.after) continue;
        const problems = captureProblems(look.quality, task.options);
        if (problems.length > 0) {
          task.problems = problems;
          events.push({ type: 'task-progress', id: task.id, problems });
          continue;
        }
        const embedding = await timed('embed', () => this.#models.embedAligned(look.aligned));
        const liveness = await timed('liveness', () => this.#models.liveness(frame, primary.box));
        const attempt = this.#attempt?.trackId === primary.id ? this.#attempt : null;
        if (attempt) this.#scored(attempt, liveness);
        const top = this.#index.size > 0 ? (this.#index.scores(embedding, 1)[0] ?? null) : null;
        this.#tasks.delete(task.id);
        events.push({
          type: 'task-done',
          id: task.id,
          kind: 'capture',
          result: {
            ok: true,
            embedding,
            // A turned capture is as good a template as a frontal one when the turn was asked for.
            quality: qualityScore(task.options.pose && task.options.pose.want !== 'straight' ? { ...look.quality, ok: true, metrics: { ...look.quality.metrics, yaw: 0 } } : look.quality, this.#o.quality),
            liveness: fuseLiveness(attempt ? attempt.liveness : [liveness]),
            problems: [],
            frame: frameNo,
            trackId: primary.id,
            yaw: look.quality.metrics.yaw,
            pitch: look.quality.metrics.pitch,
            alreadyEnrolledAs: top && top.score >= MATCH_POLICY.threshold ? top : null,
            box: primary.box,
          },
        });
      } else {
        if (primary && task.trackId !== primary.id) {
          // A different face: start over, a blink must come from the person being checked.
          task.trackId = primary.id;
          task.state = startBlink(now);
        }
        if (primary && task.state) {
          const landmarks = look?.landmarks ?? (await timed('landmark', () => this.#models.landmarks(frame, primary.box)));
          const eyes = await timed('eyes', () => this.#models.eyes(frame, landmarks));
          task.state = stepBlink(task.state, eyes.left, eyes.right, now);
        }
        const done = task.state?.phase === 'blinked' ? true : task.state?.phase === 'timed-out' || now > task.deadline ? false : null;
        if (done !== null) {
          this.#tasks.delete(task.id);
          events.push({ type: 'task-done', id: task.id, kind: 'blink', result: { blinked: done, trackId: task.trackId } });
        }
      }
    }
    return events;
  }
}

/**
 * What keeps this frame from being the capture: the gate's reasons (a turn that was asked for
 * does not count as 'turned' unless it goes too far), then the pose, then an old frame.
 */
export function captureProblems(q: QualityReport, options: CaptureOptions): CaptureProblem[] {
  const pose = options.pose;
  const turning = pose !== undefined && pose.want !== 'straight';
  const reasons: CaptureProblem[] = q.reasons.filter((r) => !(turning && r === 'turned'));
  const posed = pose ? poseProblem(q.metrics, pose) : null;
  // 'turned' already says "face the camera".
  if (posed && !(posed === 'look-straight' && reasons.includes('turned'))) reasons.push(posed);
  return rankProblems(reasons);
}

/** Passive liveness band for the overlay and logs (the policy decides; this only names the band). */
export function livenessBand(p: number): 'live' | 'ask-blink' | 'suspect' {
  return p >= LIVENESS_POLICY.pass ? 'live' : p >= LIVENESS_POLICY.uncertain ? 'ask-blink' : 'suspect';
}
