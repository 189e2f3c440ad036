import { cropResize, greyTensor, toGrey } from './image.ts';
import { leftEyeCentre, rightEyeCentre } from './landmarks.ts';
import { softmax } from './liveness.ts';
import { squareAbout, type Box, type Point, type RgbaImage } from './types.ts';

export const EYE_INPUT = 24;
/** fr_eye was trained on a square 1.6x the eye's corner-to-corner width. */
const EYE_PAD = 1.6;

function eyeBox(pts: readonly Point[], centre: Point, outer: number, inner: number): Box {
  const a = pts[outer];
  const b = pts[inner];
  if (!a || !b) throw new RangeError('68 landmarks required');
  const width = Math.hypot(b.x - a.x, b.y - a.y);
  return squareAbout(centre, Math.max(2, width * EYE_PAD));
}

export function eyeBoxes(pts: readonly Point[]): { left: Box; right: Box } {
  return { left: eyeBox(pts, leftEyeCentre(pts), 36, 39), right: eyeBox(pts, rightEyeCentre(pts), 42, 45) };
}

/** Tensor data [1, 1, 24, 24]: grey, v / 255. */
export function eyeInput(frame: RgbaImage, box: Box): Float32Array {
  return greyTensor(toGrey(cropResize(frame, box, EYE_INPUT, EYE_INPUT)), 1 / 255);
}

/**
 * fr_eye: class 1 = open. Its JS library reads class 0 as open, but on real photos with
 * visibly open eyes class 1 is ~1.0, and it drops when the eye opening is painted over with
 * lid skin (models/README.md).
 */
export const EYE_OPEN_CLASS = 1;
export const eyeOpenProbability = (logits: ArrayLike<number>): number => softmax(logits)[EYE_OPEN_CLASS] ?? 0;

export interface BlinkOptions {
  /** Both eyes below this open-probability count as closed. */
  readonly closedBelow: number;
  /** Both eyes above this count as open; between the two is ignored (hysteresis). */
  readonly openAbove: number;
  /** A closure longer than this is eyes shut (or a photo with closed eyes), not a blink. */
  readonly maxClosedMs: number;
  /** The whole open -> closed -> open must fit in this window after the check starts. */
  readonly windowMs: number;
  /** Frames in a row with both eyes clearly open before a closure counts (the eyes are steady). */
  readonly openFrames: number;
  /** Frames in a row with both eyes open again that end the blink. */
  readonly reopenFrames: number;
}

/**
 * Measured with `npm run eval -- --blink ../shared/faces`: on one still group photo the eye model
 * read 0.00-0.95 from frame to frame under camera noise alone, and a lone noisy "closed" frame
 * between two open ones passed as a blink. A blink now needs steady open eyes first (frames in a
 * row with both clearly open; one eye read shut starts over), and open eyes again after it.
 */
export const DEFAULT_BLINK: BlinkOptions = { closedBelow: 0.3, openAbove: 0.7, maxClosedMs: 700, windowMs: 5000, openFrames: 2, reopenFrames: 2 };

/** Active liveness by blink, as a union so an impossible mix of flags cannot be written. */
export type BlinkState =
  /** Counting frames of steady open eyes (`run` of them so far). */
  | { readonly phase: 'waiting-open'; readonly since: number; readonly run: number }
  /** Eyes steadily open: the next closure of both counts. */
  | { readonly phase: 'open'; readonly since: number }
  /** Both shut since `closedAt`; `reopened` frames in a row open again so far. */
  | { readonly phase: 'closed'; readonly since: number; readonly closedAt: number; readonly reopened: number }
  | { readonly phase: 'blinked'; readonly at: number }
  | { readonly phase: 'timed-out'; readonly at: number };

export const startBlink = (now: number): BlinkState => ({ phase: 'waiting-open', since: now, run: 0 });

/** Feeds one frame's eye probabilities (both eyes: a wink or a one-eye occlusion is not a blink). */
export function stepBlink(s: BlinkState, left: number, right: number, now: number, o: BlinkOptions = DEFAULT_BLINK): BlinkState {
  if (s.phase === 'blinked' || s.phase === 'timed-out') return s;
  if (now - s.since > o.windowMs) return { phase: 'timed-out', at: now };
  const open = left > o.openAbove && right > o.openAbove;
  const closed = left < o.closedBelow && right < o.closedBelow;
  const oneShut = !closed && (left < o.closedBelow || right < o.closedBelow);
  switch (s.phase) {
    case 'waiting-open': {
      const run = open ? s.run + 1 : 0;
      return run >= o.openFrames ? { phase: 'open', since: s.since } : { ...s, run };
    }
    case 'open':
      if (closed) return { phase: 'closed', since: s.since, closedAt: now, reopened: 0 };
      // One eye shut while the other is open is a wink or a noisy reading: steady eyes again first.
      return oneShut ? { phase: 'waiting-open', since: s.since, run: 0 } : s;
    case 'closed': {
      if (now - s.closedAt > o.maxClosedMs && s.reopened === 0) return { phase: 'waiting-open', since: s.since, run: 0 };
      if (!open) return s.reopened > 0 ? { phase: 'waiting-open', since: s.since, run: 0 } : s;
      const reopened = s.reopened + 1;
      return reopened >= o.reopenFrames ? { phase: 'blinked', at: now } : { ...s, reopened };
    }
  }
}
