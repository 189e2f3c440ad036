import type { AdminRole } from '../command.ts';
import type { LinkStatus } from '../link.ts';
import type { AdminSummary, HaChange, PairingOffer, PanelRemote } from '../panel-remote.ts';
import { decodePairingPayload } from '../pairing.ts';
import { isLoopbackBroker } from '../broker-url.ts';
import { say } from '../../lib/words/index.ts';

/** The panel admin's view of remote pairing: mirrors PanelRemote into runes for the screen. */
export class PairPanelState {
  readonly #remote: PanelRemote;
  #status = $state<LinkStatus>('offline');
  #admins = $state<readonly AdminSummary[]>([]);
  #offer = $state<PairingOffer | null>(null);
  #homeAssistant = $state(false);
  #refusals = $state(0);

  constructor(remote: PanelRemote) {
    this.#remote = remote;
    this.#sync();
  }

  /** Follow the remote while mounted; the returned function stops following. */
  follow(): () => void {
    this.#sync();
    return this.#remote.onChange(() => this.#sync());
  }

  #sync(): void {
    this.#status = this.#remote.status;
    this.#admins = this.#remote.admins;
    this.#offer = this.#remote.offer;
    this.#homeAssistant = this.#remote.homeAssistant;
    this.#refusals = this.#remote.pairingRefusals;
  }

  get status(): LinkStatus {
    return this.#status;
  }
  get admins(): readonly AdminSummary[] {
    return this.#admins;
  }
  /**
   * Said while a code is up that names a broker only this machine reaches (the kiosk opened at
   * localhost with a broker of its own choosing): a phone elsewhere would wait on it in vain.
   */
  get offerWarning(): string | null {
    const url = this.#offer ? decodePairingPayload(this.#offer.payload)?.brokerUrl : undefined;
    return url && isLoopbackBroker(url) ? say('panel.pair.localBroker', { url }) : null;
  }

  get offer(): PairingOffer | null {
    return this.#offer;
  }
  get homeAssistant(): boolean {
    return this.#homeAssistant;
  }
  /** Someone sent pairing requests that did not prove the code on screen (it still works); empty when nobody did. */
  get refusalsText(): string {
    const n = this.#refusals;
    if (n === 0) return '';
    return say(n === 1 ? 'problem.pair.refusedOne' : 'problem.pair.refusedMany', { n: String(n) });
  }
  get panelId(): string {
    return this.#remote.panelId;
  }
  /** Why Home Assistant cannot be turned on over this panel's broker link; null where it can. */
  get homeAssistantBlocked(): string | null {
    return this.#remote.homeAssistantBlocked;
  }
  get broker(): { readonly url: string; readonly loggedIn: boolean } {
    return this.#remote.broker;
  }

  pair(role: AdminRole): Promise<PairingOffer> {
    return this.#remote.createPairing(role);
  }
  cancel(): void {
    this.#remote.cancelPairing();
  }
  unpair(adminId: string): Promise<boolean> {
    return this.#remote.unpair(adminId, 'panel');
  }
  setHomeAssistant(enabled: boolean, code?: string): Promise<HaChange> {
    return this.#remote.setHomeAssistant(enabled, code);
  }
}
