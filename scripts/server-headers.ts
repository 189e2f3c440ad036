import type { Plugin } from 'vite';

export { isolationHeaders, securityHeaders, contentSecurityPolicy } from './http-policy.mjs';

/**
 * `/health` answers only from the network (the service worker lets it through), so the kiosk
 * learns that its server or network is gone even though its shell still loads from the cache.
 */
export function healthEndpoint(): Plugin {
  const handler = (req: { url?: string }, res: { setHeader(k: string, v: string): void; end(b: string): void }, next: () => void) => {
    if ((req.url ?? '').split('?')[0] !== '/health') return next();
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify({ ok: true, time: Date.now() }));
  };
  return {
    name: 'doorward-health',
    configureServer(server) {
      server.middlewares.use(handler);
    },
    configurePreviewServer(server) {
      server.middlewares.use(handler);
    },
  };
}
