import { parseArgs } from 'node:util';
import { connectMqtt } from '../../src/remote/link.ts';
import { Bridge } from './bridge.ts';

/**
 * `npm run matter`: pair once with the code the panel shows for a Matter bridge, then serve the
 * door to Matter controllers until stopped. Prints the Matter QR payload and manual code while
 * the lock is not yet in any ecosystem, and the fabrics it is in.
 */
export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      pair: { type: 'string' },
      'state-dir': { type: 'string', default: process.env.DOORWARD_MATTER_STATE ?? '.cache/matter-bridge' },
      port: { type: 'string', default: '5540' },
      name: { type: 'string', default: 'Front door' },
      pulse: { type: 'string', default: '3' },
      fabrics: { type: 'boolean', default: false },
      'remove-fabric': { type: 'string' },
    },
  });
  const say = (m: string) => console.warn(`[matter-bridge] ${m}`);
  const bridge = await Bridge.open({ stateDir: values['state-dir'], connect: connectMqtt, port: Number(values.port), name: values.name, pulseSeconds: Number(values.pulse), log: say });
  if (values.pair) {
    const r = await bridge.pair(values.pair);
    if (!r.ok) {
      say(`pairing refused: ${r.reason}`);
      return 1;
    }
    say(`paired with panel ${bridge.panelId} as a bridge`);
  }
  if (!bridge.paired) {
    say('not paired: in the panel\'s admin area choose "Pair a phone", role "Matter bridge", and run npm run matter -- --pair "<the code under the QR>"');
    return 1;
  }
  await bridge.start();
  const stop = async () => {
    await bridge.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  if (values['remove-fabric']) {
    const ok = await bridge.removeFabric(Number(values['remove-fabric']));
    say(ok ? `left fabric ${values['remove-fabric']}` : `no fabric ${values['remove-fabric']}`);
    await bridge.close();
    return ok ? 0 : 1;
  }
  const fabrics = bridge.fabrics();
  if (values.fabrics) {
    console.log(JSON.stringify(fabrics, null, 2));
    await bridge.close();
    return 0;
  }
  const c = bridge.commissioning;
  console.log(`Matter QR code payload: ${c.qrPairingCode}`);
  console.log(`Manual pairing code:    ${c.manualPairingCode}`);
  console.log(fabrics.length === 0 ? 'In no Matter fabric yet: add it from Home Assistant, Apple Home or Google Home with the code above.' : `In ${fabrics.length} fabric(s): ${fabrics.map((f) => `#${f.fabricIndex} ${f.label || 'unnamed'} (vendor 0x${f.vendorId.toString(16)})`).join(', ')}`);
  return await new Promise<number>(() => undefined);
}
