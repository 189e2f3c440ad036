#!/usr/bin/env node
// npm run bench:detectors [-- --no-gpu] [--runs N]: fr_detect vs MediaPipe's FaceDetector, side by side (scripts/bench-detectors.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { runnerImport } from 'vite';

const { values } = parseArgs({ options: { 'no-gpu': { type: 'boolean', default: false }, runs: { type: 'string' } } });
const here = dirname(fileURLToPath(import.meta.url));
if (spawnSync(process.execPath, [join(here, 'provision-models.mjs'), '--quiet'], { stdio: 'inherit' }).status !== 0) process.exit(1);
const { module } = await runnerImport(join(here, 'bench-detectors.ts'), { configFile: false, logLevel: 'error' });
try {
  const result = await module.runDetectorBench({ gpu: !values['no-gpu'], runs: values.runs ? Number(values.runs) : undefined }, (m) => console.error(`[bench:detectors] ${m}`));
  console.log(JSON.stringify(result, null, 2));
} catch (err) {
  console.error(`[bench:detectors] ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
}
