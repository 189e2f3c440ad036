import { looksLikeGuestKey, watchQrTexts } from './qr.ts';

/**
 * Looks for a guest-key QR code in the camera picture a few times a second. The same token is
 * reported once per hold-up (a visitor keeps the phone there for a while), again only after it
 * has been out of view for a moment.
 */
const FORGET_MS = 5_000;

export function scanForKeys(stream: MediaStream, onToken: (token: string) => void, isWanted: () => boolean): () => void {
  let last: { token: string; at: number } | null = null;
  return watchQrTexts(
    stream,
    (texts) => {
      const token = texts.find(looksLikeGuestKey);
      const now = performance.now();
      if (token && (last?.token !== token || now - last.at > FORGET_MS)) onToken(token);
      if (token) last = { token, at: now };
    },
    isWanted,
  );
}
