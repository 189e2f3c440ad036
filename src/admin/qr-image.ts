import { prepareZXingModule, writeBarcode } from 'zxing-wasm/writer';

let prepared = false;

/** A QR code as SVG markup, drawn on the device (the writer wasm is served by the panel). */
export async function qrSvg(text: string): Promise<string> {
  if (!prepared) {
    prepareZXingModule({ overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? `/zxing/${path}` : prefix + path) } });
    prepared = true;
  }
  const out = await writeBarcode(text, { format: 'QRCode', ecLevel: 'M', scale: 0 });
  if (out.error) throw new Error(`QR code could not be drawn: ${out.error}`);
  return out.svg;
}
