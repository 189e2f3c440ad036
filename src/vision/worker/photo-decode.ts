import type { RgbaImage } from '../types.ts';

/** Photos are decoded at most this large (longest side): plenty for a face, bounded memory. */
export const MAX_PHOTO_SIDE = 2048;

/**
 * An encoded photo -> pixels, on a canvas of its own that is emptied straight away: the live
 * frame canvas never holds the photo, and nothing in the worker refers to it afterwards.
 * Null when the bytes are not an image the browser can decode.
 */
export async function decodePhoto(image: Blob): Promise<RgbaImage | null> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(image, { imageOrientation: 'from-image' });
  } catch {
    return null;
  }
  try {
    const scale = Math.min(1, MAX_PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const c = new OffscreenCanvas(width, height);
    const cx = c.getContext('2d', { willReadFrequently: true });
    if (!cx) throw new Error('no 2d context in the worker');
    cx.imageSmoothingQuality = 'high';
    cx.drawImage(bitmap, 0, 0, width, height);
    const data = cx.getImageData(0, 0, width, height).data;
    c.width = 0;
    c.height = 0;
    return { width, height, data };
  } finally {
    bitmap.close();
  }
}
