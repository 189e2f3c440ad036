import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../remote/mosquitto.ts';

/**
 * A real PostgreSQL 15 (Debian's), started by the test itself: initdb in a temp dir, a server on
 * a loopback port, trust auth for the local test user only. PostgreSQL refuses to run as root, so
 * as root it runs as the `postgres` user Debian's package made.
 */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface Postgres {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<Postgres> {
  if (!existsSync(join(PG_BIN, 'initdb'))) throw new Error(`PostgreSQL 15 not found in ${PG_BIN}: apt-get install -y postgresql-15`);
  const root = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'doorward-pg-'));
  const data = join(dir, 'data');
  const asUser = (cmd: string, args: string[]): [string, string[]] => (root ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
  if (root) {
    const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(pw.stdout.trim()), Number(gid.stdout.trim()));
  }
  const [initCmd, initArgs] = asUser(join(PG_BIN, 'initdb'), ['-D', data, '-U', 'doorward', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const [cmd, args] = asUser(join(PG_BIN, 'postgres'), ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off']);
  const proc: ChildProcess = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const end = Date.now() + 20_000;
  while (!/ready to accept connections/.test(out)) {
    if (proc.exitCode !== null) throw new Error(`postgres exited: ${out}`);
    if (Date.now() > end) throw new Error(`postgres did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `postgres://doorward@127.0.0.1:${port}/postgres`,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        // The postmaster itself (runuser does not pass signals on): fast shutdown, then immediate.
        const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
        const signal = (s: NodeJS.Signals) => { try { process.kill(pid, s); } catch { /* gone */ } };
        signal('SIGINT');
        const late = setTimeout(() => signal('SIGQUIT'), 5_000);
        await exited;
        clearTimeout(late);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
