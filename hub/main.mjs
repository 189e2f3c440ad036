#!/usr/bin/env node
// npm run hub [-- command ...]: the site hub (hub/main.ts); `npm run hub -- help` lists the commands.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadTs } from './load-ts.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { state: { type: 'string' }, database: { type: 'string' }, broker: { type: 'string' }, 'api-port': { type: 'string' }, 'retention-days': { type: 'string' }, 'push-subject': { type: 'string' }, door: { type: 'string' }, person: { type: 'string' }, limit: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, tz: { type: 'string' }, csv: { type: 'boolean' }, open: { type: 'string' }, note: { type: 'string' } },
});
const here = dirname(fileURLToPath(import.meta.url));
const { module: m } = await loadTs(join(here, 'main.ts'));
const settings = m.settingsFrom(values, process.env);
const log = (line) => console.error(line);

if (positionals.length === 0 || positionals[0] === 'start') {
  const stop = await m.serve(settings, log);
  for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => void stop().then(() => process.exit(0)));
} else {
  const req = m.request(positionals, values);
  if (!req) {
    console.error(m.USAGE);
    process.exit(positionals[0] === 'help' ? 0 : 2);
  }
  const { status, text } = await m.ask(settings, ...req);
  console.log(text);
  const failed = status >= 400 || (positionals[0] === 'verify' && JSON.parse(text).ok !== true);
  process.exit(failed ? 1 : 0);
}
