#!/usr/bin/env node
// npm run hub [-- command ...]: the site hub (hub/main.ts); `npm run hub -- help` lists the commands.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTs } from './load-ts.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { module: m } = await loadTs(join(here, 'main.ts'));
let commandLine;
try {
  commandLine = m.parseCommandLine(process.argv.slice(2));
} catch (err) {
  console.error(`${err.message}\n\n${m.USAGE}`);
  process.exit(2);
}
const { values, positionals } = commandLine;
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
