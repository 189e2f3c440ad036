import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { isolationHeaders } from './server-headers.ts';

/**
 * Wasm runtimes and model weights are too big for the precache: they are emitted beside the app
 * and listed with their SHA-256 in `asset-manifest.json`, which the service worker uses to fill
 * a versioned cache and refuse corrupt downloads (see src/sw.ts).
 */
const root = resolve(import.meta.dirname, '..');

interface AssetSource {
  readonly urlDir: string;
  readonly fsDir: string;
  readonly accept: (name: string) => boolean;
  /** Files in subfolders of fsDir, served flat under urlDir. */
  readonly files?: readonly string[];
}

const sources: AssetSource[] = [
  {
    urlDir: 'ort',
    fsDir: join(root, 'node_modules/onnxruntime-web/dist'),
    accept: (n) => /^ort-wasm-simd-threaded(\.asyncify)?\.(wasm|mjs)$/.test(n),
  },
  {
    // MediaPipe Tasks' runtime for the face detector: the module build (the worker is a module).
    urlDir: 'mediapipe',
    fsDir: join(root, 'node_modules/@mediapipe/tasks-vision/wasm'),
    accept: (n) => /^vision_wasm_module_internal\.(js|wasm)$/.test(n),
  },
  {
    urlDir: 'zxing',
    fsDir: join(root, 'node_modules/zxing-wasm/dist'),
    accept: () => false,
    files: ['reader/zxing_reader.wasm', 'writer/zxing_writer.wasm'],
  },
  {
    urlDir: 'models',
    fsDir: join(root, 'models/weights'),
    accept: (n) => /\.(onnx|tflite|json)$/.test(n),
  },
];

export interface AssetEntry {
  readonly url: string;
  readonly bytes: number;
  readonly sha256: string;
}

export function listAssets(): { file: string; entry: AssetEntry }[] {
  const out: { file: string; entry: AssetEntry }[] = [];
  for (const src of sources) {
    if (!existsSync(src.fsDir)) continue;
    const names = [...readdirSync(src.fsDir).filter(src.accept).sort(), ...(src.files ?? [])];
    for (const rel of names) {
      const file = join(src.fsDir, rel);
      const name = rel.split('/').pop() ?? rel;
      const data = readFileSync(file);
      const sha256 = createHash('sha256').update(data).digest('hex');
      out.push({ file, entry: { url: `/${src.urlDir}/${name}`, bytes: data.length, sha256 } });
    }
  }
  return out;
}

function assetManifest(assets: { entry: AssetEntry }[]): string {
  // The cache version follows the content, so a new model or runtime gets a fresh cache.
  const version = createHash('sha256')
    .update(assets.map((a) => a.entry.sha256).join(''))
    .digest('hex')
    .slice(0, 12);
  return JSON.stringify({ version, assets: assets.map((a) => a.entry) }, null, 2);
}

const contentTypes: Record<string, string> = {
  wasm: 'application/wasm',
  mjs: 'text/javascript',
  js: 'text/javascript',
  json: 'application/json',
};

export function largeAssets(): Plugin {
  return {
    name: 'doorward-large-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0] ?? '';
        const assets = listAssets();
        if (url === '/asset-manifest.json') {
          res.setHeader('Content-Type', 'application/json');
          res.end(assetManifest(assets));
          return;
        }
        const hit = assets.find((a) => a.entry.url === url);
        if (!hit) return next();
        const ext = url.split('.').pop() ?? '';
        // onnxruntime's thread workers import /ort/*.mjs; without COEP on them they hang forever.
        for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
        res.setHeader('Content-Type', contentTypes[ext] ?? 'application/octet-stream');
        res.end(readFileSync(hit.file));
      });
    },
    generateBundle() {
      const assets = listAssets();
      for (const a of assets) {
        this.emitFile({ type: 'asset', fileName: a.entry.url.slice(1), source: readFileSync(a.file) });
      }
      this.emitFile({ type: 'asset', fileName: 'asset-manifest.json', source: assetManifest(assets) });
    },
  };
}
