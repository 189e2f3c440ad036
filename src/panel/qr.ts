import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

/**
 * QR decoding for guest keys with zxing-wasm: Chromium on Linux has no BarcodeDetector, and a
 * maintained C++ decoder compiled to wasm reads phone screens far better than a JS port. The wasm
 * is served by the panel itself (`/zxing/`), never from the package's default CDN.
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

/** A guest key is a compact JWS: three base64url parts. Anything else on a QR is ignored. */
export function looksLikeGuestKey(text: string): boolean {
  return text.length < 2048 && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(text);
}
