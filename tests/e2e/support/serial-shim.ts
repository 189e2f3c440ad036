// navigator.serial for a page under test, backed by a WebSocket to board-bridge.ts: the same
// SerialPort interface Chromium gives a page (open, close, getInfo, setSignals, readable,
// writable, requestPort with USB filters, getPorts for granted ports), so the kiosk's real
// transport (src/door/web-serial.ts) runs unchanged on top. The grant made by requestPort (in
// Chromium, the user picking the board in the chooser) is kept in localStorage, as Chromium
// keeps it per origin, so getPorts() returns the board after a reload.
//
// Runs in the page (page.addInitScript): no imports, nothing from Node.
import type { ShimConfig } from './board-bridge.ts';

export function installSerialShim(cfg: ShimConfig): void {
  const GRANT = 'e2e-serial-granted';

  class ShimPort extends EventTarget {
    readable: ReadableStream<Uint8Array> | null = null;
    writable: WritableStream<Uint8Array> | null = null;
    #ws: WebSocket | null = null;
    #replies: ((r: { ok: boolean; error?: string }) => void)[] = [];

    getInfo(): { usbVendorId: number; usbProductId: number } {
      return { usbVendorId: cfg.vendorId, usbProductId: cfg.productId };
    }

    #request(ws: WebSocket, msg: object): Promise<void> {
      return new Promise((resolve, reject) => {
        this.#replies.push((r) => (r.ok ? resolve() : reject(new DOMException(r.error ?? 'failed', 'NetworkError'))));
        ws.send(JSON.stringify(msg));
      });
    }

    async open(options: { baudRate: number; dataBits?: number; stopBits?: number; parity?: string }): Promise<void> {
      if (this.#ws) throw new DOMException('The port is already open.', 'InvalidStateError');
      const ws = new WebSocket(cfg.url);
      ws.binaryType = 'arraybuffer';
      await new Promise<void>((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = () => reject(new DOMException('Failed to open serial port.', 'NetworkError'));
      });
      let deliver: ((bytes: Uint8Array) => void) | null = null;
      let lost: (() => void) | null = null;
      ws.onmessage = (e: MessageEvent<string | ArrayBuffer>) => {
        if (typeof e.data === 'string') this.#replies.shift()?.(JSON.parse(e.data) as { ok: boolean; error?: string });
        else deliver?.(new Uint8Array(e.data));
      };
      ws.onclose = () => lost?.();
      this.#ws = ws;
      await this.#request(ws, { op: 'open', ...options });
      this.readable = new ReadableStream<Uint8Array>({
        start(controller) {
          deliver = (bytes) => controller.enqueue(bytes);
          lost = () => {
            try {
              controller.error(new DOMException('The device has been lost.', 'NetworkError'));
            } catch {
              /* already cancelled */
            }
          };
        },
        cancel() {
          deliver = null;
        },
      });
      this.writable = new WritableStream<Uint8Array>({
        write(chunk) {
          if (ws.readyState !== WebSocket.OPEN) throw new DOMException('The device has been lost.', 'NetworkError');
          ws.send(new Uint8Array(chunk));
        },
      });
    }

    async setSignals(signals: { dataTerminalReady?: boolean; requestToSend?: boolean }): Promise<void> {
      if (!this.#ws) throw new DOMException('The port is closed.', 'InvalidStateError');
      await this.#request(this.#ws, { op: 'signals', ...signals });
    }

    async close(): Promise<void> {
      const ws = this.#ws;
      this.#ws = null;
      this.readable = null;
      this.writable = null;
      if (ws && ws.readyState === WebSocket.OPEN) {
        await this.#request(ws, { op: 'close' }).catch(() => undefined);
        ws.close();
      }
    }
  }

  const port = new ShimPort();
  const serial = new EventTarget() as EventTarget & Record<string, unknown>;
  serial.getPorts = async () => (localStorage.getItem(GRANT) ? [port] : []);
  serial.requestPort = async (options: { filters?: { usbVendorId?: number; usbProductId?: number }[] } = {}) => {
    const listed = (options.filters ?? [{}]).some(
      (f) => (f.usbVendorId === undefined || f.usbVendorId === cfg.vendorId) && (f.usbProductId === undefined || f.usbProductId === cfg.productId),
    );
    // Chromium's chooser lists only ports matching a filter; the user picks the board.
    if (!listed) throw new DOMException('No port selected by the user.', 'NotFoundError');
    localStorage.setItem(GRANT, '1');
    return port;
  };
  Object.defineProperty(navigator, 'serial', { value: serial, configurable: true });
}
