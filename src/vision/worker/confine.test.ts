import { describe, expect, it } from 'vitest';
import { BlockedRequest, confineToOrigin, type Confinable } from './confine.ts';

/** A worker scope whose own fetch / XHR / WebSocket only record what would have gone out. */
function scope() {
  const sent: string[] = [];
  class Xhr {
    open(_method: string, url: string | URL) {
      sent.push(`xhr ${String(url)}`);
    }
  }
  class Ws {
    constructor(url: string | URL) {
      sent.push(`ws ${String(url)}`);
    }
  }
  const s: Confinable = {
    location: { href: 'http://panel.local:8080/assets/vision.worker.js', origin: 'http://panel.local:8080' },
    fetch: (async (input: RequestInfo | URL) => {
      sent.push(`fetch ${input instanceof Request ? input.url : String(input)}`);
      return new Response('ok');
    }) as typeof fetch,
    XMLHttpRequest: Xhr as unknown as typeof XMLHttpRequest,
    WebSocket: Ws as unknown as typeof WebSocket,
  };
  const blocked: string[] = [];
  confineToOrigin(s, (url, via) => blocked.push(`${via} ${url}`));
  return { s, sent, blocked };
}

describe('confineToOrigin', () => {
  it("refuses tasks-vision's usage log (POST to odml.pa.googleapis.com) before anything is sent, and says so", async () => {
    const { s, sent, blocked } = scope();
    await expect(s.fetch('https://odml.pa.googleapis.com/v1/log', { method: 'POST', body: 'x' })).rejects.toBeInstanceOf(BlockedRequest);
    expect(sent).toEqual([]);
    expect(blocked).toEqual(['fetch https://odml.pa.googleapis.com/v1/log']);
  });

  it('lets the panel origin through: relative paths, absolute same-origin URLs, Request objects, blob URLs made here', async () => {
    const { s, sent, blocked } = scope();
    await s.fetch('/models/fr_detect.onnx');
    await s.fetch(new URL('http://panel.local:8080/mediapipe/vision_wasm_module_internal.wasm'));
    await s.fetch(new Request('http://panel.local:8080/ort/ort-wasm-simd-threaded.wasm'));
    await s.fetch('blob:http://panel.local:8080/6f1c');
    expect(sent).toHaveLength(4);
    expect(blocked).toEqual([]);
  });

  it('refuses another port, scheme or host of the same name, data: URLs, XHR and WebSockets elsewhere', async () => {
    const { s, sent, blocked } = scope();
    for (const url of ['http://panel.local:9999/x', 'https://panel.local:8080/x', 'http://panel.local.evil.example/x', 'data:text/plain,hi']) {
      await expect(s.fetch(url)).rejects.toThrow(/refused/);
    }
    const xhr = new s.XMLHttpRequest!();
    expect(() => xhr.open('POST', 'https://play.googleapis.com/log')).toThrow(BlockedRequest);
    xhr.open('GET', '/health');
    expect(() => new s.WebSocket!('wss://example.com/socket')).toThrow(BlockedRequest);
    expect(sent).toEqual(['xhr /health']);
    expect(blocked).toHaveLength(6);
  });

  it('wrapping twice does not stack, so a block is reported once', async () => {
    const { s, blocked } = scope();
    confineToOrigin(s, () => blocked.push('second'));
    await expect(s.fetch('https://odml.pa.googleapis.com/v1/log')).rejects.toThrow();
    expect(blocked).toHaveLength(1);
  });
});
