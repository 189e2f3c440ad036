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
