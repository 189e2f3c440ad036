// The door controller's figures on its own processor: doorward.uf2's flash and RAM, and, on the
// emulated Cortex-M0+ at 125 MHz (rp2040js, cycle counts per instruction), how long the
// HMAC-SHA256 check of an UNLOCK takes and how long from the command's last byte arriving to
// the relay pin going high. Prints figures; asserts nothing (npm run bench:controller).
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { DoorController } from '../src/door/controller.ts';
import { Cmd, FrameSplitter, decodeFrame } from '../src/door/protocol.ts';
import { ELF_PATH, EmulatedBoard, UF2_PATH, buildFirmware, elfSymbols } from '../tests/board/board.ts';
import { CdcTransport } from '../tests/board/transports.ts';

const CLK_SYS_HZ = 125e6;
const STACK_TOP = 0x20040000;

interface Sample {
  hmacCycles: number;
  commandToRelayCycles: number;
  commandToRelayNs: number;
}

function sections(): Map<string, number> {
  const out = execFileSync('arm-none-eabi-size', ['-A', ELF_PATH], { encoding: 'utf8' });
  const map = new Map<string, number>();
  for (const line of out.split('\n')) {
    const [name, size] = line.trim().split(/\s+/);
    if (name?.startsWith('.') && size && /^\d+$/.test(size)) map.set(name, Number(size));
  }
  return map;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const us = (cycles: number) => Math.round((cycles / CLK_SYS_HZ) * 1e6 * 10) / 10;

export async function benchController(runs = 7): Promise<object> {
  buildFirmware();
  const sec = sections();
  const get = (n: string) => sec.get(n) ?? 0;
  const sym = elfSymbols();
  // the key's inner state is hashed once at provisioning (dw_core's key_mac), so a check starts
  // at its first dw_hmac_update and ends when dw_ct_equal returns
  const hmacUpdate = sym.get('dw_hmac_update');
  const ctEqual = sym.get('dw_ct_equal');
  const bss = sym.get('_ebss');
  if (hmacUpdate === undefined || ctEqual === undefined || bss === undefined) throw new Error('dw_hmac_update, dw_ct_equal or _ebss missing from the ELF');

  const board = new EmulatedBoard({ inputs: { setupPressed: true } });
  const link = new CdcTransport(board);
  await link.open();
  const ctrl = new DoorController({ transport: link, clock: board.hostClock, key: null });
  await board.drive(ctrl.connect());
  board.set({ setupPressed: false });
  const prov = await board.drive(ctrl.provisionKey(crypto.getRandomValues(new Uint8Array(32))));
  if (prov.outcome !== 'done') throw new Error(`provisioning failed: ${JSON.stringify(prov)}`);

  const core = board.rp2040.core;
  const usb = board.rp2040.usbCtrl as unknown as { finishRead: (ep: number, b: Uint8Array) => void };
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    let arrived: { cycles: number; ns: number } | null = null;
    let hmacStart: number | null = null;
    let hmacReturn: number | null = null;
    let hmacCycles: number | null = null;
    let rise: { cycles: number; ns: number } | null = null;
    const finishRead = usb.finishRead.bind(usb);
    // the UNLOCK frame's last byte lands in the endpoint's buffer: the command has arrived
    const split = new FrameSplitter();
    usb.finishRead = (ep, b) => {
      finishRead(ep, b);
      if (ep !== 2 || arrived) return;
      split.push(b, (chunk) => {
        const f = chunk ? decodeFrame(chunk) : null;
        if (f?.ok && f.frame.header.cmd === Cmd.Unlock) arrived = { cycles: core.cycles, ns: board.nanos };
      });
    };
    board.onInstruction = (pc) => {
      if (!arrived || hmacCycles !== null) return;
      if (hmacStart === null && pc === (hmacUpdate & ~1)) hmacStart = core.cycles;
      else if (hmacStart !== null && hmacReturn === null && pc === (ctEqual & ~1)) hmacReturn = core.LR & ~1;
      else if (hmacStart !== null && hmacReturn !== null && pc === hmacReturn) hmacCycles = core.cycles - hmacStart;
    };
    const relay = board.rp2040.gpio[2];
    const stop = relay?.addListener(() => {
      if (board.relay && !rise) rise = { cycles: core.cycles, ns: board.nanos };
    });
    const r = await board.drive(ctrl.unlock(100));
    await board.until(() => !board.relay, 1000, 'relock');
    stop?.();
    usb.finishRead = finishRead;
    board.onInstruction = null;
    const a = arrived as { cycles: number; ns: number } | null;
    const up = rise as { cycles: number; ns: number } | null;
    if (r.outcome !== 'done' || !a || !up || hmacCycles === null) throw new Error(`run ${i}: unlock ${r.outcome}, probes incomplete`);
    samples.push({ hmacCycles, commandToRelayCycles: up.cycles - a.cycles, commandToRelayNs: up.ns - a.ns });
    await board.run(50);
  }
  await ctrl.close();

  // the stack's high-water mark: SRAM between .bss and the stack top starts zeroed
  let low = STACK_TOP;
  for (let a = bss; a < STACK_TOP; a += 4) {
    if (board.rp2040.sramView.getUint32(a - 0x20000000, true) !== 0) {
      low = a;
      break;
    }
  }
  const hmac = median(samples.map((s) => s.hmacCycles));
  const c2r = median(samples.map((s) => s.commandToRelayCycles));
  return {
    image: {
      uf2Bytes: statSync(UF2_PATH).size,
      flashBytes: get('.boot2') + get('.text') + get('.ARM.exidx') + get('.data'),
      boot2Bytes: get('.boot2'),
      staticRamBytes: get('.data') + get('.bss'),
      stackPeakBytes: STACK_TOP - low,
    },
    cortexM0plusAt125MHz: {
      runs,
      hmacVerifyUnlock: { cycles: hmac, us: us(hmac), what: 'first dw_hmac_update .. dw_ct_equal return, in the UNLOCK that released the relay (key state precomputed at provisioning)' },
      commandToRelay: {
        cycles: c2r,
        us: us(c2r),
        boardTimeUs: Math.round(median(samples.map((s) => s.commandToRelayNs)) / 100) / 10,
        what: "UNLOCK frame's last byte in the USB endpoint buffer .. GP2 high (decode, checks, HMAC, relay)",
      },
    },
    notes:
      'rp2040js counts ARMv6-M cycles with every memory access single-cycle: flash is modelled as if always in the 16 KB XIP cache. Real XIP misses (03h reads at 20.8 MHz, ~5 us each) and USB frame scheduling (up to 1 ms per bulk packet at full speed) come on top.',
  };
}
