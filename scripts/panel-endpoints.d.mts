import type { Plugin } from 'vite';
import type { SetupCodes } from './setup-code.mjs';

export interface KioskEndpoints {
  config(): unknown;
  phoneLogin(panelId: string): unknown;
}
export function panelEndpoints(o: { headers: Record<string, string>; setup: SetupCodes | null; kiosk: KioskEndpoints | null; log?: (msg: string) => void }): Plugin;
