import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/**
 * An HTTP proxy that Chromium sends every request through (`--proxy-server`, with
 * `--proxy-bypass-list=<-loopback>` so not even localhost goes around it): pages, workers,
 * the service worker, WebSockets (CONNECT) alike. It writes down where each request was going
 * and forwards only to the allowed host:port pairs; anything else is answered 403 and never
 * leaves this machine, so a test can both see an escape and be sure none happened.
 */
export interface RecordedRequest {
  readonly at: number;
  readonly method: string;
  /** host:port the browser wanted to reach. */
  readonly target: string;
  readonly url: string;
  readonly allowed: boolean;
}

export interface RecordingProxy {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

const hostPort = (host: string, port: string | number) => `${host.replace(/^\[|\]$/g, '')}:${port}`;

export async function startRecordingProxy(allowed: readonly string[]): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const isAllowed = (target: string) => allowed.includes(target);
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    const target = hostPort(url.hostname, url.port || (url.protocol === 'https:' ? 443 : 80));
    const ok = isAllowed(target);
    requests.push({ at: Date.now(), method: req.method ?? 'GET', target, url: url.href, allowed: ok });
    if (!ok) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('blocked by the test proxy');
      return;
    }
    const upstream = httpRequest({ host: url.hostname, port: url.port, method: req.method, path: `${url.pathname}${url.search}`, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const [host = '', port = '443'] = (req.url ?? '').split(/:(?=\d+$)/);
    const target = hostPort(host, port);
    const ok = isAllowed(target);
    requests.push({ at: Date.now(), method: 'CONNECT', target, url: req.url ?? '', allowed: ok });
    if (!ok) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  // A WebSocket asked of the proxy in absolute form (GET ws://host/ with Upgrade): tunnel it as is.
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      client.destroy();
      return;
    }
    const target = hostPort(url.hostname, url.port || 80);
    const ok = isAllowed(target);
    requests.push({ at: Date.now(), method: 'UPGRADE', target, url: url.href, allowed: ok });
    if (!ok) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(Number(url.port || 80), url.hostname, () => {
      const lines = [`${req.method} ${url.pathname}${url.search} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
