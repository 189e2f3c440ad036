import { looksLikeGuestKey, watchQrTexts } from './qr.ts';

/**
 * Looks for guest-key QR codes in the camera picture a few times a second while `isWanted`, and
 * reports what each look found (an empty list when no key is in view): the door session decides
 * what is a new showing.
 */
export function scanForKeys(stream: MediaStream, onSeen: (tokens: string[]) => void, isWanted: () => boolean): () => void {
  return watchQrTexts(stream, (texts) => onSeen(texts.filter(looksLikeGuestKey)), isWanted);
}
