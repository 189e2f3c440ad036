import { looksLikeGuestKey, readQrTexts } from './qr.ts';

/**
 * Looks for a guest-key QR code in the camera picture a few times a second. The same token is
 * reported once per hold-up (a visitor keeps the phone there for a while), again only after it
 * has been out of view for a moment.
 */
const SCAN_MS = 300;
const FORGET_MS = 5_000;

export function scanForKeys(stream: MediaStream, onToken: (token: string) => void, isWanted: () => boolean): () => void {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  void video.play().catch(() => undefined);
  let canvas: OffscreenCanvas | null = null;
  let busy = false;
  let last: { token: string; at: number } | null = null;

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
        const token = (await readQrTexts(ctx.getImageData(0, 0, w, h))).find(looksLikeGuestKey);
        const now = performance.now();
        if (token && (last?.token !== token || now - last.at > FORGET_MS)) onToken(token);
        if (token) last = { token, at: now };
      } catch (err) {
        console.warn('[keys] scan failed', err);
      } finally {
        busy = false;
      }
    })();
  }, SCAN_MS);

  return () => {
    clearInterval(timer);
    video.srcObject = null;
  };
}
