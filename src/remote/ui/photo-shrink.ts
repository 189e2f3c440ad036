import { say } from '../../lib/words/index.ts';

/**
 * On the phone, before a photo goes to the panel: decoded (EXIF orientation applied), scaled
 * to at most 1024 px on its longest side and re-encoded as JPEG. Re-encoding always happens, so
 * whatever the camera gave (HEIC, PNG, a 12 MP JPEG with GPS in its EXIF) the panel gets a plain
 * JPEG with no metadata, small enough for one signed command (envelope.ts MAX_MESSAGE_BYTES:
 * base64url twice, about 1.8x the JPEG).
 */
export const MAX_PHOTO_SIDE = 1024;
export const MAX_PHOTO_BYTES = 450_000;

type Canvas = OffscreenCanvas | HTMLCanvasElement;

function canvasOf(width: number, height: number): Canvas {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(width, height);
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  return c;
}

async function jpeg(c: Canvas, quality: number): Promise<Blob> {
  if ('convertToBlob' in c) return c.convertToBlob({ type: 'image/jpeg', quality });
  return new Promise((resolve, reject) => c.toBlob((b) => (b ? resolve(b) : reject(new Error(say('phone.photo.notEncoded')))), 'image/jpeg', quality));
}

/** The photo as JPEG bytes of at most `maxSide` px and `maxBytes`; throws when it cannot be read. */
export async function shrinkPhoto(photo: Blob, maxSide = MAX_PHOTO_SIDE, maxBytes = MAX_PHOTO_BYTES): Promise<Uint8Array> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(photo, { imageOrientation: 'from-image' });
  } catch {
    throw new Error(say('phone.photo.unreadable'));
  }
  try {
    let side = maxSide;
    for (;;) {
      const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
      const c = canvasOf(Math.max(1, Math.round(bitmap.width * scale)), Math.max(1, Math.round(bitmap.height * scale)));
      const ctx = c.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
      if (!ctx) throw new Error(say('phone.photo.noCanvas'));
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(bitmap, 0, 0, c.width, c.height);
      for (const quality of [0.85, 0.7, 0.55]) {
        const blob = await jpeg(c, quality);
        if (blob.size <= maxBytes) return new Uint8Array(await blob.arrayBuffer());
      }
      side = Math.round(side * 0.75);
      if (side < 256) throw new Error(say('phone.photo.tooLarge'));
    }
  } finally {
    bitmap.close();
  }
}
