/**
 * Large assets (wasm runtimes, model weights) are checked against the SHA-256 in the build's
 * asset manifest before they are cached: a truncated download or a tampered model must never
 * become the thing that decides who opens the door.
 */
export interface AssetEntry {
  readonly url: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface AssetManifest {
  readonly version: string;
  readonly assets: readonly AssetEntry[];
}

export type VerifiedFetch =
  | { readonly ok: true; readonly response: Response }
  | { readonly ok: false; readonly reason: 'network' | 'status' | 'size' | 'digest' };

export const assetCacheName = (version: string): string => `doorward-assets-${version}`;

export const isLargeAsset = (path: string): boolean => ['/ort/', '/models/', '/zxing/', '/mediapipe/'].some((dir) => path.startsWith(dir));

export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function verifiedFetch(asset: AssetEntry, fetcher: (url: string) => Promise<Response>): Promise<VerifiedFetch> {
  let res: Response;
  try {
    res = await fetcher(asset.url);
  } catch {
    return { ok: false, reason: 'network' };
  }
  if (!res.ok) return { ok: false, reason: 'status' };
  const body = await res.arrayBuffer();
  if (body.byteLength !== asset.bytes) return { ok: false, reason: 'size' };
  if ((await sha256Hex(body)) !== asset.sha256) return { ok: false, reason: 'digest' };
  const headers = new Headers(res.headers);
  return { ok: true, response: new Response(body, { status: 200, headers }) };
}
