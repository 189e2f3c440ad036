import type { Rgba } from './y4m.ts';

export interface FaceBox {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/**
 * A head turned by `degrees` about the vertical axis, made from a frontal photo: the head is
 * taken as a vertical cylinder through the face (radius 0.6 of the face box width, a common
 * approximation in head-pose work) and re-projected rotated; positive turns the face towards
 * the image's right (the person's left, on an unmirrored camera). Beyond the cylinder the
 * picture is kept. A software stand-in for a real turn, good to about 25 degrees, for fixtures only.
 */
export function turnHead(image: Rgba, face: FaceBox, degrees: number): Rgba {
  const theta = (degrees * Math.PI) / 180;
  const cx = (face.x1 + face.x2) / 2;
  const r = 0.6 * (face.x2 - face.x1);
  const top = face.y1 - 0.4 * (face.y2 - face.y1);
  const bottom = face.y2 + 0.2 * (face.y2 - face.y1);
  const out = new Uint8Array(image.data);
  const { width, height, data } = image;
  for (let y = Math.max(0, Math.floor(top)); y < Math.min(height, Math.ceil(bottom)); y++) {
    // Fade the turn out above the forehead and below the chin, so the neck and hair bend smoothly.
    const fade = Math.min(1, (y - top) / (0.25 * (bottom - top)), (bottom - y) / (0.15 * (bottom - top)));
    const t = theta * Math.max(0, fade);
    for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(width, Math.ceil(cx + r)); x++) {
      const u = (x - cx) / r;
      if (Math.abs(u) >= 1) continue;
      const phi = Math.asin(u) - t;
      let sx: number;
      if (Math.abs(phi) < Math.PI / 2) sx = cx + r * Math.sin(phi);
      else sx = cx + r * Math.sign(phi); // the side turned away: its edge
      // Blend towards the untouched picture at the rim, so the cylinder's edge does not show.
      const rim = Math.min(1, (1 - Math.abs(u)) / 0.15);
      const fx = x + (sx - x) * rim;
      const x0 = Math.max(0, Math.min(width - 2, Math.floor(fx)));
      const a = fx - x0;
      const o = (y * width + x) * 4;
      const i0 = (y * width + x0) * 4;
      for (let c = 0; c < 3; c++) out[o + c] = Math.round(data[i0 + c]! * (1 - a) + data[i0 + 4 + c]! * a);
    }
  }
  return { width, height, data: out };
}
