/**
 * Nothing leaves the panel from the vision worker. @mediapipe/tasks-vision posts usage logs to
 * a Google endpoint (odml.pa.googleapis.com, about every 60 s and when a task closes) and has no
 * option to stop it; a face detector at a door must not phone anywhere. So before any library
 * loads, the worker's own ways out (fetch, XMLHttpRequest, WebSocket, EventSource) are narrowed
 * to its origin; anything else is refused where it is made, named in `onBlocked`, and never
 * sent. The page's Content-Security-Policy is a second fence, not the only one.
 */

export interface Confinable {
  readonly location: { readonly href: string; readonly origin: string };
  fetch: typeof fetch;
  XMLHttpRequest?: typeof XMLHttpRequest;
  WebSocket?: typeof WebSocket;
  EventSource?: typeof EventSource;
}

export class BlockedRequest extends TypeError {
  override name = 'BlockedRequest';
}

const urlOf = (input: unknown, base: string): URL | null => {
  try {
    const s = typeof input === 'string' ? input : input instanceof URL ? input.href : (input as { url?: string }).url;
    return typeof s === 'string' ? new URL(s, base) : null;
  } catch {
    return null;
  }
};

/** Narrows `scope`'s network to its own origin; idempotent. */
export function confineToOrigin(scope: Confinable, onBlocked: (url: string, via: string) => void): void {
  const marked = scope as Confinable & { __doorwardConfined?: true };
  if (marked.__doorwardConfined) return;
  marked.__doorwardConfined = true;
  const { origin, href } = scope.location;
  // Unparseable is refused too: only what is provably ours goes out.
  const allowed = (input: unknown): URL | null => {
    const url = urlOf(input, href);
    return url && url.origin === origin ? url : null;
  };
  const refuse = (input: unknown, via: string): BlockedRequest => {
    const url = urlOf(input, href)?.href ?? String(input);
    onBlocked(url, via);
    return new BlockedRequest(`${via} to ${url} refused: the vision worker talks only to ${origin}`);
  };

  const realFetch = scope.fetch.bind(scope);
  scope.fetch = ((input: RequestInfo | URL, init?: RequestInit) => (allowed(input) ? realFetch(input, init) : Promise.reject(refuse(input, 'fetch')))) as typeof fetch;

  const Xhr = scope.XMLHttpRequest;
  if (Xhr) {
    const open = Xhr.prototype.open as (this: XMLHttpRequest, method: string, url: string | URL, ...rest: unknown[]) => void;
    Xhr.prototype.open = function (this: XMLHttpRequest, method: string, url: string | URL, ...rest: unknown[]) {
      if (!allowed(url)) throw refuse(url, 'XMLHttpRequest');
      return open.call(this, method, url, ...rest);
    } as typeof Xhr.prototype.open;
  }
  const wrap = <C extends new (url: string | URL, ...rest: never[]) => object>(Ctor: C | undefined, via: string): C | undefined => {
    if (!Ctor) return Ctor;
    return new Proxy(Ctor, {
      construct(target, args: unknown[]) {
        if (!allowed(args[0])) throw refuse(args[0], via);
        return Reflect.construct(target, args) as object;
      },
    });
  };
  // WebSocket is same-origin only when it is the panel's own host (ws:// of the same origin).
  scope.WebSocket = wrap(scope.WebSocket, 'WebSocket');
  scope.EventSource = wrap(scope.EventSource, 'EventSource');
}
