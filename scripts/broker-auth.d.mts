export type BrokerIdentity = { readonly kind: 'panel'; readonly panelId: string } | { readonly kind: 'phone'; readonly username: string; readonly panelId: string; readonly clientPrefix: string };
export interface BrokerLogin {
  readonly username: string;
  readonly password: string;
}
export interface BrokerLogins {
  readonly created: boolean;
  readonly panel: BrokerLogin;
  issuePhoneLogin(panelId: string): BrokerLogin;
  authenticate(username: string | undefined, password: Uint8Array | string | undefined, clientId: string): BrokerIdentity | null;
  mayPublish(who: BrokerIdentity, topic: string, retain: boolean): boolean;
  maySubscribe(who: BrokerIdentity, filter: string): boolean;
}
export const PANEL_USER: string;
export const PHONE_LOGIN_UNUSED_MS: number;
export function brokerLogins(dir: string, options?: { now?: () => number; log?: (msg: string) => void }): BrokerLogins;
