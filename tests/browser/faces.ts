/**
 * A stranger's face as the vision pipeline hands it over (512 floats, a little different each
 * visit), and as the insight engine keeps it (unit length, computed the same way), so a test can
 * look for it byte by byte in what is stored.
 */
export function strangerFace(who: number, visit: number): Float32Array {
  return Float32Array.from({ length: 512 }, (_, i) => Math.sin(i * (0.37 + who * 0.23)) + 0.05 * Math.sin(visit * 13 + i));
}

export function unitOf(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] ?? 0) * (v[i] ?? 0);
  const n = Math.sqrt(s);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] ?? 0) / n;
  return out;
}
