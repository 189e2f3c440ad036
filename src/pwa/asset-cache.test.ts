import { describe, expect, it } from 'vitest';
import { isLargeAsset, sha256Hex, verifiedFetch, type AssetEntry } from './asset-cache.ts';

const body = new TextEncoder().encode('model weights v1');

async function entry(): Promise<AssetEntry> {
  return { url: '/models/m.onnx', bytes: body.byteLength, sha256: await sha256Hex(body.buffer as ArrayBuffer) };
}

describe('integrity-checked asset fetch', () => {
  it('accepts the bytes the manifest names', async () => {
    const r = await verifiedFetch(await entry(), async () => new Response(body));
    if (!r.ok) throw new Error(`refused: ${r.reason}`);
    expect(new Uint8Array(await r.response.arrayBuffer())).toEqual(body);
  });

  it('refuses tampered, truncated, failed and unreachable downloads with the reason', async () => {
    const e = await entry();
    const tampered = body.slice();
    tampered[0] = 0;
    expect(await verifiedFetch(e, async () => new Response(tampered))).toEqual({ ok: false, reason: 'digest' });
    expect(await verifiedFetch(e, async () => new Response(body.slice(1)))).toEqual({ ok: false, reason: 'size' });
    expect(await verifiedFetch(e, async () => new Response('nope', { status: 404 }))).toEqual({ ok: false, reason: 'status' });
    expect(await verifiedFetch(e, async () => Promise.reject(new TypeError('offline')))).toEqual({ ok: false, reason: 'network' });
  });

  it('routes only wasm runtimes and weights to the asset cache', () => {
    expect(isLargeAsset('/ort/ort-wasm-simd-threaded.wasm')).toBe(true);
    expect(isLargeAsset('/models/fr_detect.onnx')).toBe(true);
    expect(isLargeAsset('/mediapipe/vision_wasm_module_internal.wasm')).toBe(true);
    expect(isLargeAsset('/assets/index.js')).toBe(false);
  });
});
