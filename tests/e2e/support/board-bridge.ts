// The emulated door board (tests/board/board.ts, build/doorward.uf2 on rp2040js) on the far end
// of a WebSocket, for a page whose navigator.serial is the shim in serial-shim.ts. The Node side
// is the USB host: the page's SerialPort.open({ baudRate }) becomes SET_LINE_CODING and
// SET_CONTROL_LINE_STATE (DTR, RTS) on the board's CDC-ACM interface, setSignals another
// SET_CONTROL_LINE_STATE, written chunks bulk OUT packets, and bulk IN packets messages to the
// page. The board runs on the wall clock, as the kiosk's timers do.
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { FrameSplitter, FrameType, decodeFrame } from '../../../src/door/protocol.ts';
import { EmulatedBoard, buildFirmware } from '../../board/board.ts';
import type { BoardOptions } from '../../board/board.ts';
import type { EnumeratedDevice } from '../../board/usb-host.ts';

export interface ShimConfig {
  readonly url: string;
  readonly vendorId: number;
  readonly productId: number;
}

type PageMessage =
  | { op: 'open'; baudRate: number; dataBits?: number; stopBits?: 1 | 2; parity?: 'none' | 'even' | 'odd' }
  | { op: 'signals'; dataTerminalReady?: boolean; requestToSend?: boolean }
  | { op: 'close' };

const PARITY = { none: 0, odd: 1, even: 2 } as const;

export class BoardBridge {
  readonly board: EmulatedBoard;
  readonly device: EnumeratedDevice;
  readonly #server: WebSocketServer;
  readonly #port: number;
  #socket: WebSocket | null = null;
  #dtr = false;
  #rts = false;
  /** SET_LINE_CODING requests the page's opens sent (baud rate, for the assertions). */
  readonly opens: number[] = [];
  /** The commands the page sent the board, decoded off the wire (a retry repeats its seq). */
  readonly commands: { seq: number; cmd: number; flags: number }[] = [];
  readonly #fromPage = new FrameSplitter();

  private constructor(board: EmulatedBoard, device: EnumeratedDevice, server: WebSocketServer, port: number) {
    this.board = board;
    this.device = device;
    this.#server = server;
    this.#port = port;
    board.usb.onData((bytes) => this.#socket?.send(bytes));
    server.on('connection', (ws) => this.#accept(ws));
  }

  static async start(options: BoardOptions = {}): Promise<BoardBridge> {
    buildFirmware();
    const board = new EmulatedBoard(options);
    const device = await board.drive(board.usb.enumerate(), 5000, 'USB enumeration');
    board.startRealtime();
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return new BoardBridge(board, device, server, port);
  }

  get shimConfig(): ShimConfig {
    return { url: `ws://127.0.0.1:${this.#port}`, vendorId: this.device.vendorId, productId: this.device.productId };
  }

  #accept(ws: WebSocket): void {
    // One program has the port at a time, as with a tty: a new open replaces the old one.
    this.#socket?.close();
    this.#socket = ws;
    const usb = () => this.board.usb;
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        const bytes = new Uint8Array(Array.isArray(data) ? Buffer.concat(data) : (data as Buffer));
        this.#fromPage.push(bytes, (chunk) => {
          const d = chunk ? decodeFrame(chunk) : null;
          if (d?.ok && d.frame.header.type === FrameType.Command) this.commands.push({ seq: d.frame.header.seq, cmd: d.frame.header.cmd, flags: d.frame.header.flags });
        });
        usb().write(bytes);
        return;
      }
      const msg = JSON.parse(String(data)) as PageMessage;
      const reply = (p: Promise<unknown>) =>
        void p.then(
          () => ws.send(JSON.stringify({ ok: true })),
          (err: unknown) => ws.send(JSON.stringify({ ok: false, error: String(err) })),
        );
      if (msg.op === 'open') {
        this.opens.push(msg.baudRate);
        this.#dtr = true;
        this.#rts = true;
        reply(usb().openSerial(msg.baudRate, msg.dataBits ?? 8, msg.stopBits ?? 1, PARITY[msg.parity ?? 'none']));
      } else if (msg.op === 'signals') {
        this.#dtr = msg.dataTerminalReady ?? this.#dtr;
        this.#rts = msg.requestToSend ?? this.#rts;
        reply(usb().setLineState(this.#dtr, this.#rts));
      } else {
        reply(this.#drop());
      }
    });
    ws.on('close', () => {
      if (this.#socket !== ws) return;
      this.#socket = null;
      void this.#drop(); // the page went away (reload): the tty closes, DTR drops
    });
  }

  #drop(): Promise<unknown> {
    this.#dtr = false;
    this.#rts = false;
    return this.board.usb.setLineState(false, false).catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.#socket?.close();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await this.board.stopRealtime();
  }
}
