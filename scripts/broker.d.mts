export interface EmbeddedBroker {
  readonly url: string;
  readonly port: number;
  /** wss:// URLs of the TLS listeners (LAN addresses), if any. */
  readonly tlsUrls: readonly string[];
  close(): Promise<void>;
}
export function startBroker(options?: {
  port?: number;
  host?: string;
  log?: (msg: string) => void;
  tlsListeners?: readonly { host: string; key: Uint8Array; cert: Uint8Array }[];
}): Promise<EmbeddedBroker>;
