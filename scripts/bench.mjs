#!/usr/bin/env node
// npm run bench [-- --threads N] [--provider wasm|webgpu]: browser vision bench as JSON (scripts/bench.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { runnerImport } from 'vite';

const { values } = parseArgs({ options: { threads: { type: 'string' }, provider: { type: 'string' } } });
const here = dirname(fileURLToPath(import.meta.url));
if (spawnSync(process.execPath, [join(here, 'provision-models.mjs'), '--quiet'], { stdio: 'inherit' }).status !== 0) process.exit(1);
const { module } = await runnerImport(join(here, 'bench.ts'), { configFile: false, logLevel: 'error' });
try {
  const result = await module.runBench({ provider: values.provider, threads: values.threads ? Number(values.threads) : undefined }, (m) => console.error(`[bench] ${m}`));
  console.log(JSON.stringify(result, null, 2));
} catch (err) {
  console.error(`[bench] ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
}
