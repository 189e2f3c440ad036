import { describe, expect, it } from 'vitest';
import { scalable } from './qr-image.ts';

describe('QR codes scale to the box they are shown in', () => {
  const written = '<?xml version="1.0"?>\n<svg width="33" height="33" version="1.1" xmlns="http://www.w3.org/2000/svg"><rect x="0" y="0" width="33" height="33" fill="#FFFFFF"/></svg>';

  it('the root gets a viewBox of the module grid and loses its fixed pixel size; inner shapes are untouched', () => {
    const svg = scalable(written);
    expect(svg).toContain('<svg viewBox="0 0 33 33" shape-rendering="crispEdges" data-modules="33" version="1.1"');
    expect(svg).toContain('<rect x="0" y="0" width="33" height="33" fill="#FFFFFF"/>');
    expect(/<svg[^>]*\swidth=/.test(svg)).toBe(false);
  });

  it('refuses markup that is not a sized SVG', () => {
    expect(() => scalable('<p>no</p>')).toThrow('no SVG');
    expect(() => scalable('<svg version="1.1"></svg>')).toThrow('no size');
  });
});
