import type { Say } from '../lib/words/index.ts';
import { english } from '../lib/words/english.ts';

/**
 * Which broker the panel uses, and with what login:
 *   1. a `?broker=ws(s)://…` in the page address (set once by the installer, then remembered),
 *   2. else what the panel's own server says (`/panel-config.json`, answered to the kiosk on
 *      loopback only: the broker of `npm start`, on whatever `--broker-port` it was given, and
 *      the panel's login for it), remembered for boots without the server,
 *   3. else none: the panel works alone and says so in its admin area.
 * Nothing is guessed: a broker the page was not told about is not one to trust with a login.
 */
export interface BrokerLogin {
  readonly username: string;
  readonly password: string;
}

export interface BrokerChoice {
  readonly url: string;
  readonly login: BrokerLogin | null;
  /** Where phones reach the same broker (the server's wss listener); null: use `url`. */
  readonly phoneUrl: string | null;
  /** The panel's server makes each pairing phone a login of its own for this broker. */
  readonly phoneLogins: boolean;
}

export interface ServerBrokerConfig {
  readonly broker: { readonly url: string; readonly login: BrokerLogin } | null;
  readonly phoneBroker: string | null;
  readonly phoneLogins: boolean;
}

const BROKER_URL = /^wss?:\/\/[^\s/]+(\/[^\s]*)?$/;
const USER = /^[A-Za-z0-9_.-]{1,64}$/;

export const isBrokerUrl = (v: unknown): v is string => typeof v === 'string' && v.length <= 512 && BROKER_URL.test(v);

export function parseBrokerLogin(v: unknown): BrokerLogin | null {
  if (!v || typeof v !== 'object') return null;
  const { username, password } = v as Record<string, unknown>;
  return typeof username === 'string' && USER.test(username) && typeof password === 'string' && password.length > 0 && password.length <= 256 ? { username, password } : null;
}

/** What the server answered, checked field by field; null for anything else. */
export function parseServerBrokerConfig(v: unknown): ServerBrokerConfig | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  const phoneBroker = o.phoneBroker === null || o.phoneBroker === undefined ? null : isBrokerUrl(o.phoneBroker) ? o.phoneBroker : undefined;
  if (phoneBroker === undefined) return null;
  const phoneLogins = o.phoneLogins === true && phoneBroker !== null;
  if (o.broker === null) return { broker: null, phoneBroker, phoneLogins: false };
  const b = o.broker as Record<string, unknown> | undefined;
  const login = parseBrokerLogin(b);
  if (!b || !isBrokerUrl(b.url) || !login) return null;
  return { broker: { url: b.url, login }, phoneBroker, phoneLogins };
}

export function chooseBroker(page: { search: string }, stored: { asked: string | null; server: ServerBrokerConfig | null }, server: ServerBrokerConfig | null): { choice: BrokerChoice | null; rememberAsked: string | null; rememberServer: ServerBrokerConfig | null } {
  const asked = new URLSearchParams(page.search).get('broker');
  const fresh = server ?? null;
  if (asked && isBrokerUrl(asked)) return { choice: { url: asked, login: null, phoneUrl: null, phoneLogins: false }, rememberAsked: asked !== stored.asked ? asked : null, rememberServer: fresh };
  if (stored.asked) return { choice: { url: stored.asked, login: null, phoneUrl: null, phoneLogins: false }, rememberAsked: null, rememberServer: fresh };
  const s = fresh ?? stored.server;
  if (!s?.broker) return { choice: null, rememberAsked: null, rememberServer: fresh };
  return { choice: { url: s.broker.url, login: s.broker.login, phoneUrl: s.phoneBroker, phoneLogins: s.phoneLogins }, rememberAsked: null, rememberServer: fresh };
}

/** A link Home Assistant's plain codes may travel over: TLS to the broker, and a login at it. */
export function isSecureBrokerLink(url: string, login: BrokerLogin | null): boolean {
  return url.startsWith('wss://') && login !== null;
}

/** The names a browser calls its own machine by: a page opened at one of them is on the panel's machine. */
const THIS_MACHINE = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const isThisMachine = (host: string): boolean => THIS_MACHINE.has(host) || host.endsWith('.localhost');
/** Any loopback address: a broker there is reachable only from the machine it runs on. */
const isLoopbackHost = (host: string): boolean => isThisMachine(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
const hostOf = (url: string): string | null => {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
};

export const isLoopbackBroker = (url: string): boolean => {
  const host = hostOf(url);
  return host !== null && isLoopbackHost(host);
};

/**
 * The broker as a phone elsewhere on the network reaches it: a loopback broker on a kiosk opened
 * at its LAN address is the same machine under that address. Unchanged otherwise (a kiosk opened
 * at localhost cannot know its LAN address; brokerProblemFor tells the phone so).
 */
export function brokerSeenFrom(brokerUrl: string, pageHost: string): string {
  const host = hostOf(brokerUrl);
  if (!host || !isLoopbackHost(host) || !pageHost || isThisMachine(pageHost)) return brokerUrl;
  return brokerUrl.replace(/^(wss?:\/\/)(\[[^\]]*\]|[^/:]+)/, (_, scheme: string) => `${scheme}${pageHost}`);
}

/** Where the phone page is: its scheme and host (location, in the app). */
export interface PageAt {
  readonly protocol: string;
  readonly hostname: string;
}

/**
 * Why a phone at `page` cannot reach the broker a pairing code names, in words with the fix;
 * null when nothing says it cannot (only trying tells the rest).
 */
export function brokerProblemFor(brokerUrl: string, page: PageAt | null, say: Say = english): string | null {
  const host = hostOf(brokerUrl);
  if (!host || !page) return null;
  // The page's own host is as reachable as the page; another loopback address is not, from elsewhere.
  if (isLoopbackHost(host) && host !== page.hostname && !isThisMachine(page.hostname)) {
    return say('problem.broker.loopback', { url: brokerUrl });
  }
  if (page.protocol === 'https:' && brokerUrl.startsWith('ws://')) {
    return say('problem.broker.https', { url: brokerUrl });
  }
  return null;
}

/** Pairing gave up waiting for the broker: what to check, in words. */
export function brokerTimeoutText(brokerUrl: string, seconds: number, say: Say = english): string {
  const cert = brokerUrl.startsWith('wss://') ? say('problem.broker.timeoutCert', { url: brokerUrl.replace(/^wss:/, 'https:') }) : '';
  return say('problem.broker.timeout', { url: brokerUrl, s: String(seconds), cert });
}
