/**
 * Headless Chromium + the Vite dev server for the eval and the bench: the real browser pipeline
 * (vision worker, onnxruntime-web, the served weights) driven from Node. The server adds COEP to
 * /ort/ so WASM threads can start (see src/vision/README.md); `--threads 1` turns them off.
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import { isolationHeaders } from './server-headers.ts';
import { repoRoot } from './eval-support.ts';

export interface BrowserRig {
  readonly page: Page;
  readonly browser: Browser;
  readonly url: string;
  close(): Promise<void>;
}

function isolateRuntime(): Plugin {
  return {
    name: 'eval-isolate-ort',
    enforce: 'pre',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if ((req.url ?? '').startsWith('/ort/')) for (const [k, v] of Object.entries(isolationHeaders)) res.setHeader(k, v);
        next();
      });
    },
  };
}

export async function openRig(opts: { webgpu?: boolean } = {}): Promise<BrowserRig> {
  const server: ViteDevServer = await createServer({
    root: repoRoot,
    configFile: `${repoRoot}/vite.config.ts`,
    logLevel: 'error',
    // Not watching: an edit to the tree during a long run would reload the page under it.
    server: { port: 0, host: '127.0.0.1', hmr: false, watch: null },
    plugins: [isolateRuntime()],
  });
  await server.listen();
  const address = server.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', ...(opts.webgpu ? ['--enable-unsafe-webgpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'] : [])],
  });
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('[page]', e.message));
  await preparePage(page, url);
  return {
    page,
    browser,
    url,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

async function preparePage(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/tests/browser/blank.html`);
  // A module script as text: functions passed to page.evaluate from here go through Vite's SSR
  // transform, which would rewrite an import() inside them.
  await page.addScriptTag({
    type: 'module',
    content: "import { VisionBridge } from '/src/vision/bridge.ts'; import { TemplateIndex } from '/src/vision/matcher.ts'; Object.assign(window, { __VisionBridge: VisionBridge, __TemplateIndex: TemplateIndex });",
  });
  await page.waitForFunction(() => '__VisionBridge' in window);
}

/**
 * Starts the worker in the page (window.__vision) and waits for it; returns its status. Once
 * after a change to the dependency list, Vite re-bundles and reloads the page under us: then
 * the page is prepared again and the start repeated.
 */
export async function startVision(page: Page, init: { providers?: string[]; threads?: number }): Promise<{ status: string; provider: string | null; threads: number; detail: string }> {
  try {
    return await startOnce(page, init);
  } catch (err) {
    if (!/Execution context was destroyed/.test(String(err))) throw err;
    await page.waitForLoadState('load');
    await preparePage(page, new URL(page.url()).origin);
    return startOnce(page, init);
  }
}

function startOnce(page: Page, init: { providers?: string[]; threads?: number }): Promise<{ status: string; provider: string | null; threads: number; detail: string }> {
  return page.evaluate(async (init) => {
    const VisionBridge = (window as unknown as { __VisionBridge: new (i: unknown) => { on(l: (m: never) => void): void; start(): void } }).__VisionBridge;
    const bridge = new VisionBridge(init);
    (window as unknown as { __vision: unknown }).__vision = bridge;
    const status = new Promise<{ status: string; provider: string | null; threads: number; detail: string }>((resolve) =>
      bridge.on((m: { type: string; status: string }) => {
        if (m.type === 'status' && m.status !== 'loading') resolve(m as never);
      }),
    );
    bridge.start();
    return status;
  }, init);
}
