import type { BrokerLogins } from './broker-auth.mjs';

export interface EmbeddedBroker {
  readonly url: string;
  readonly port: number;
  /** wss:// URLs of the TLS listeners (LAN addresses), if any. */
  readonly tlsUrls: readonly string[];
  close(): Promise<void>;
}
export function isLoopback(host: string): boolean;
/** Throws for a non-loopback `host`: plain ws never leaves the machine. */
export function startBroker(options: {
  port?: number;
  host?: string;
  logins: BrokerLogins;
  log?: (msg: string) => void;
  tlsListeners?: readonly { host: string; key: Uint8Array; cert: Uint8Array }[];
}): Promise<EmbeddedBroker>;
