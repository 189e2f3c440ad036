// What the panel's own server answers besides files (a Vite preview plugin, one per listener):
//   GET  /panel-config.json        the kiosk's broker and its login          (kiosk only)
//   POST /panel-config/phone-login a new broker login for a phone to pair     (kiosk only)
//   POST /setup/claim              checks the first-boot set-up code         (any listener)
//   POST /csp-report               Content-Security-Policy violations, logged (any listener)
// and the security headers on every response. "Kiosk only" means: on the loopback listener, from
// a loopback address, with a loopback Host header (so a page on some other name that resolves to
// 127.0.0.1, DNS rebinding, is refused), and for POSTs from this origin with a JSON body (so a
// cross-site form cannot mint logins). The LAN listener answers those paths 404: the LAN never
// learns the panel's broker password.
import { isLoopback } from './broker.mjs';

const MAX_BODY = 8 * 1024;

/** @param {import('node:http').IncomingMessage} req */
function loopbackRequest(req) {
  const remote = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return isLoopback(remote) && isLoopback(host);
}

/** @param {import('node:http').IncomingMessage} req */
function sameOriginPost(req) {
  const site = req.headers['sec-fetch-site'];
  const origin = req.headers.origin;
  if (site !== undefined && site !== 'same-origin') return false;
  if (origin !== undefined && origin !== `http://${req.headers.host}`) return false;
  return /^application\/json\b/.test(req.headers['content-type'] ?? '');
}

/** @param {import('node:http').IncomingMessage} req @returns {Promise<unknown>} */
function readJson(req) {
  return new Promise((resolve) => {
    let size = 0;
    const chunks = [];
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(undefined);
      }
    });
    req.on('error', () => resolve(undefined));
  });
}

function send(res, status, body) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(body));
}

/**
 * @param {{
 *   headers: Record<string, string>,
 *   setup: ReturnType<typeof import('./setup-code.mjs').setupCodes> | null,
 *   kiosk: null | { config(): unknown, phoneLogin(panelId: string): unknown },
 *   log?: (msg: string) => void,
 * }} o  kiosk: only on the loopback listener.
 * @returns {import('vite').Plugin}
 */
export function panelEndpoints({ headers, setup, kiosk, log = () => {} }) {
  let reports = { minute: 0, count: 0 };
  /** @type {import('vite').Connect.NextHandleFunction} */
  const handle = (req, res, next) => {
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    const path = (req.url ?? '').split('?')[0];
    const post = req.method === 'POST';
    if (path === '/panel-config.json' || path === '/panel-config/phone-login') {
      if (!kiosk || !loopbackRequest(req)) return send(res, 404, { problem: 'not here' });
      if (path === '/panel-config.json') return req.method === 'GET' ? send(res, 200, kiosk.config()) : send(res, 405, { problem: 'GET only' });
      if (!post || !sameOriginPost(req)) return send(res, 403, { problem: 'the kiosk page only' });
      return void readJson(req).then((body) => {
        const panelId = body && typeof body === 'object' ? /** @type {{ panelId?: unknown }} */ (body).panelId : undefined;
        if (typeof panelId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(panelId)) return send(res, 400, { problem: 'panelId' });
        const login = kiosk.phoneLogin(panelId);
        return login ? send(res, 200, login) : send(res, 404, { problem: 'no broker for phones' });
      });
    }
    if (path === '/setup/claim') {
      if (!setup) return send(res, 404, { problem: 'no set-up codes here' });
      if (!post || !/^application\/json\b/.test(req.headers['content-type'] ?? '')) return send(res, 405, { problem: 'POST JSON' });
      return void readJson(req).then((body) => {
        const code = body && typeof body === 'object' ? /** @type {{ code?: unknown }} */ (body).code : undefined;
        const r = setup.claim(code);
        if (!r.ok) log(`set-up code refused (${r.reason}) from ${req.socket.remoteAddress}`);
        send(res, r.ok ? 200 : r.reason === 'lockedOut' ? 429 : 403, r);
      });
    }
    if (path === '/csp-report' && post) {
      return void readJson(req).then((body) => {
        const minute = Math.floor(Date.now() / 60_000);
        if (minute !== reports.minute) reports = { minute, count: 0 };
        // Reports come from any page that can reach us: a few a minute are logged, short.
        const r = /** @type {Record<string, unknown>} */ ((body && typeof body === 'object' && /** @type {{ 'csp-report'?: unknown }} */ (body)['csp-report']) || {});
        const what = ['effective-directive', 'blocked-uri', 'document-uri', 'source-file', 'line-number'].map((k) => `${k}=${String(r[k] ?? '')}`).join(' ');
        if (reports.count++ < 10) log(`CSP violation: ${what.replace(/[^\x20-\x7e]/g, '?').slice(0, 400)}`);
        res.statusCode = 204;
        res.end();
      });
    }
    next();
  };
  return {
    name: 'doorward-panel-endpoints',
    // Before the other plugins' handlers (/health), so their answers carry the headers too.
    enforce: 'pre',
    configurePreviewServer(server) {
      server.middlewares.use(handle);
    },
    configureServer(server) {
      server.middlewares.use(handle);
    },
  };
}
