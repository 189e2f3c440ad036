export interface EmbeddedBroker {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}
export function startBroker(options?: { port?: number; host?: string; log?: (msg: string) => void }): Promise<EmbeddedBroker>;
