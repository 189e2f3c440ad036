/**
 * MediaPipe Tasks' FaceDetector (BlazeFace full or short range, the provisioned files with TFLite
 * metadata) as a FaceDetectorModel. The Tasks runtime is loaded from this origin (/mediapipe/)
 * and the worker's network is confined before it loads (confine.ts).
 */
import { FaceDetector } from '@mediapipe/tasks-vision';
import { BOX_CALIBRATION, fromMediaPipe, type MpDelegate, type MpVariant } from '../mediapipe.ts';
import type { FaceDetectorModel } from '../models.ts';
import type { RgbaImage } from '../types.ts';

export const MEDIAPIPE_FILES: Record<MpVariant, string> = {
  full: 'face_detection_full_range.tflite',
  short: 'face_detection_short_range.tflite',
};

/** The Tasks wasm loader (module build: a module worker cannot importScripts). */
const LOADER = 'vision_wasm_module_internal.js';
const BINARY = 'vision_wasm_module_internal.wasm';

type Factory = (module: unknown) => Promise<unknown>;
let factory: Promise<Factory> | null = null;

/**
 * Tasks clears `self.ModuleFactory` after each use and a cached ES module does not run twice,
 * so the loader is imported once here and its factory handed back before every detector.
 */
async function moduleFactory(base: string): Promise<Factory> {
  factory ??= (import(/* @vite-ignore */ new URL(LOADER, base).href) as Promise<{ default: Factory }>).then((m) => (module: unknown) => m.default({ ...(module as object), printErr }));
  return factory;
}

/**
 * The TFLite runtime prints its INFO lines ("Created TensorFlow Lite XNNPACK delegate for CPU")
 * on stderr, which emscripten sends to console.error: they go out at their own level, so an error
 * in the panel's console is always a real one.
 */
function printErr(text: string): void {
  if (/^(INFO|VERBOSE):/.test(text)) console.info(text);
  else console.error(text);
}

export async function loadMediaPipeDetector(model: Uint8Array, variant: MpVariant, delegate: MpDelegate, runtimeBase: string): Promise<FaceDetectorModel> {
  const base = new URL(runtimeBase, self.location.href).href;
  (self as unknown as { ModuleFactory?: Factory }).ModuleFactory = await moduleFactory(base);
  const detector = await FaceDetector.createFromOptions(
    { wasmLoaderPath: '', wasmBinaryPath: new URL(BINARY, base).href },
    {
      baseOptions: { modelAssetBuffer: model, delegate },
      runningMode: 'IMAGE',
      minDetectionConfidence: 0.5,
      ...(delegate === 'GPU' && { canvas: new OffscreenCanvas(1, 1) }),
    },
  );
  const calibration = BOX_CALIBRATION[variant];
  return {
    name: `mediapipe-${variant}/${delegate}`,
    async detect(frame: RgbaImage) {
      const image = new ImageData(frame.data as Uint8ClampedArray<ArrayBuffer>, frame.width, frame.height);
      return fromMediaPipe(detector.detect(image).detections, frame, calibration);
    },
    release() {
      detector.close();
    },
  };
}
