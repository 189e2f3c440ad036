import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { E2E_DIST, serverStateDir, TEST_BROKER_ORIGIN } from '../../../playwright.config.ts';

/** A kiosk server of the test's own, so the test can stop it or change what it serves. */
export async function startServer(port: number, dist = E2E_DIST, extra: readonly string[] = ['--no-lan']): Promise<{ stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['scripts/start.mjs', '--no-build', '--port', String(port), '--dist', dist, '--broker-port', String(port + 10), '--state-dir', serverStateDir(port), '--broker-origin', TEST_BROKER_ORIGIN, ...extra], { stdio: 'pipe' });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://localhost:${port}/health`)).ok) {
        return {
          async stop() {
            child.kill('SIGTERM');
            await once(child, 'exit');
          },
        };
      }
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`test server on ${port} did not start`);
}
