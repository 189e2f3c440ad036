import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * A real Mosquitto from Debian, started by the test on loopback with a generated config.
 * Mosquitto 2.0.x (libwebsockets) needs a plain listener beside a websockets-only one, and binds
 * websockets to an interface name rather than an address, hence `lo`. Persistence is on, so
 * sessions and retained messages survive the restart the outage test does.
 */
export const MOSQUITTO = process.env.MOSQUITTO ?? '/usr/sbin/mosquitto';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface Mosquitto {
  readonly url: string;
  readonly wsPort: number;
  /** The plain MQTT listener (127.0.0.1), which a bridge from another broker connects to. */
  readonly tcpPort: number;
  readonly output: () => string;
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

/** `extra`: more config lines (a bridge to another broker, say). */
export async function startMosquitto(extra: readonly string[] = []): Promise<Mosquitto> {
  if (!existsSync(MOSQUITTO)) throw new Error(`Mosquitto not found at ${MOSQUITTO}: apt-get install -y mosquitto`);
  const dir = mkdtempSync(join(tmpdir(), 'doorward-mosquitto-'));
  const wsPort = await freePort();
  const tcpPort = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      // Run as root, Mosquitto drops to the `mosquitto` user, which cannot write our temp dir.
      `user ${userInfo().username}`,
      `persistence true`,
      `persistence_location ${dir}/`,
      `autosave_interval 1`,
      `log_dest stderr`,
      `log_type error`,
      `log_type warning`,
      `log_type notice`,
      `log_type information`,
      `listener ${tcpPort} 127.0.0.1`,
      `allow_anonymous true`,
      `listener ${wsPort} lo`,
      `protocol websockets`,
      `allow_anonymous true`,
      ...extra,
      '',
    ].join('\n'),
  );
  let out = '';
  let proc: ChildProcess | null = null;

  async function start(): Promise<void> {
    const p = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc = p;
    p.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const end = Date.now() + 10_000;
    while (!/running/.test(out.split('starting').pop() ?? '')) {
      if (p.exitCode !== null) throw new Error(`mosquitto exited: ${out}`);
      if (Date.now() > end) throw new Error(`mosquitto did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function stop(): Promise<void> {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
  }

  await start();
  return {
    url: `ws://127.0.0.1:${wsPort}`,
    wsPort,
    tcpPort,
    output: () => out,
    stop,
    start,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
