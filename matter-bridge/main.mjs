#!/usr/bin/env node
// npm run matter -- [--pair "DOORWARD-PAIR:..."] [--state-dir .cache/matter-bridge] [--port 5540]
//   [--name "Front door"] [--pulse 3] [--fabrics] [--remove-fabric N]
// The Matter bridge (matter-bridge/src/cli.ts, run through Vite's module runner like the other scripts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const { module } = await runnerImport(join(here, 'src', 'cli.ts'), { configFile: false, logLevel: 'error' });
process.exitCode = await module.main(process.argv.slice(2));
