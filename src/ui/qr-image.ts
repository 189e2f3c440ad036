import { prepareZXingModule, writeBarcode } from 'zxing-wasm/writer';

let prepared = false;

/**
 * A QR code as SVG markup, drawn on the device (the writer wasm is served by the panel). The
 * writer gives one user unit per module and no viewBox, so CSS could only enlarge the canvas,
 * never the code (about 1 px per module, too small for a phone to read): the viewBox makes it
 * scale to whatever box the screen gives it, with square module edges.
 */
export async function qrSvg(text: string): Promise<string> {
  if (!prepared) {
    prepareZXingModule({ overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? `/zxing/${path}` : prefix + path) } });
    prepared = true;
  }
  // Level L: read off a screen, never from a scuffed print, and fewer modules for the same text.
  const out = await writeBarcode(text, { format: 'QRCode', ecLevel: 'L', scale: 0 });
  if (out.error) throw new Error(`QR code could not be drawn: ${out.error}`);
  return scalable(out.svg);
}

/** Replaces the root element's fixed width and height with the matching viewBox. */
export function scalable(svg: string): string {
  const root = /<svg\b[^>]*>/.exec(svg);
  if (!root) throw new Error('QR code could not be drawn: the writer returned no SVG');
  const tag = root[0];
  const width = /\swidth="(\d+(?:\.\d+)?)"/.exec(tag)?.[1];
  const height = /\sheight="(\d+(?:\.\d+)?)"/.exec(tag)?.[1];
  if (!width || !height) throw new Error('QR code could not be drawn: the SVG has no size');
  const sized = tag
    .replace(/\swidth="[^"]*"/, '')
    .replace(/\sheight="[^"]*"/, '')
    .replace(/<svg\b/, `<svg viewBox="0 0 ${width} ${height}" shape-rendering="crispEdges" data-modules="${width}"`);
  return svg.slice(0, root.index) + sized + svg.slice(root.index + tag.length);
}
