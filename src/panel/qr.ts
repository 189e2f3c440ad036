import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

/**
 * QR decoding (guest keys at the door, pairing codes on an admin's phone) with zxing-wasm:
 * Chromium on Linux has no BarcodeDetector, and a maintained C++ decoder compiled to wasm reads
 * phone screens far better than a JS port. The wasm is served by the app itself (`/zxing/`),
 * never from the package's default CDN.
 */
let prepared = false;

function prepare(): void {
  if (prepared) return;
  prepareZXingModule({
    overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? `/zxing/${path}` : prefix + path) },
  });
  prepared = true;
}

export async function readQrTexts(image: ImageData): Promise<string[]> {
  prepare();
  const results = await readBarcodes(image, { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 2 });
  return results.filter((r) => r.isValid).map((r) => r.text);
}

const WATCH_MS = 300;

/**
 * Reads the QR codes in a camera stream's picture every `everyMs` while `isWanted()`, one read at
 * a time (a slow frame skips ticks rather than queueing them), and hands every read's texts to
 * `onTexts`, an empty list when it found none. The stream stays the caller's: the returned
 * function only stops reading.
 */
export function watchQrTexts(stream: MediaStream, onTexts: (texts: string[]) => void, isWanted: () => boolean = () => true, everyMs = WATCH_MS): () => void {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  void video.play().catch(() => undefined);
  let canvas: OffscreenCanvas | null = null;
  let busy = false;
  let stopped = false;

  const timer = setInterval(() => {
    if (busy || !isWanted() || video.videoWidth === 0) return;
    busy = true;
    void (async () => {
      try {
        const w = video.videoWidth;
        const h = video.videoHeight;
        if (!canvas || canvas.width !== w || canvas.height !== h) canvas = new OffscreenCanvas(w, h);
        const ctx = canvas.getContext('2d', { willReadFrequently: true });
        if (!ctx) return;
        ctx.drawImage(video, 0, 0, w, h);
        const texts = await readQrTexts(ctx.getImageData(0, 0, w, h));
        // A read that finishes after stop() must not reach a caller that has moved on.
        if (!stopped) onTexts(texts);
      } catch (err) {
        console.warn('[qr] scan failed', err);
      } finally {
        busy = false;
      }
    })();
  }, everyMs);

  return () => {
    stopped = true;
    clearInterval(timer);
    video.srcObject = null;
  };
}

/** A guest key is a compact JWS: three base64url parts. Anything else on a QR is ignored. */
export function looksLikeGuestKey(text: string): boolean {
  return text.length < 2048 && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(text);
}
