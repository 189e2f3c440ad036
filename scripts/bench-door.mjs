#!/usr/bin/env node
// npm run bench:door [-- --arrivals 20] [--strangers 5] [--no-build] [--port 5091]: the built kiosk's latency at the door (scripts/bench-door.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { runnerImport } from 'vite';

const { values } = parseArgs({ options: { arrivals: { type: 'string' }, strangers: { type: 'string' }, 'no-build': { type: 'boolean', default: false }, port: { type: 'string' } } });
const here = dirname(fileURLToPath(import.meta.url));
if (spawnSync(process.execPath, [join(here, 'provision-models.mjs'), '--quiet'], { stdio: 'inherit' }).status !== 0) process.exit(1);
const { module } = await runnerImport(join(here, 'bench-door.ts'), { configFile: false, logLevel: 'error' });
try {
  const result = await module.runDoorBench(
    { arrivals: values.arrivals ? Number(values.arrivals) : undefined, strangers: values.strangers ? Number(values.strangers) : undefined, build: !values['no-build'], port: values.port ? Number(values.port) : undefined },
    (m) => console.error(`[bench:door] ${m}`),
  );
  console.log(JSON.stringify(result, null, 2));
} catch (err) {
  console.error(`[bench:door] ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
}
