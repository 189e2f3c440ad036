import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type EmbeddedBroker } from '../../scripts/broker.mjs';
import { connectMqtt } from './link.ts';
import { outageAndRecovery, pairingAndCommands, replayAndUnpaired, startPanel, type BrokerUnderTest } from '../../tests/remote/scenario.ts';
import { freePort } from '../../tests/remote/mosquitto.ts';

// The embedded broker of `npm start` (aedes, MQTT 3.1.1 only): the link must fall back.
let embedded: EmbeddedBroker | null = null;
let broker: BrokerUnderTest;

beforeAll(async () => {
  const port = await freePort();
  embedded = await startBroker({ port });
  broker = {
    url: embedded.url,
    connect: connectMqtt,
    stop: async () => {
      await embedded?.close();
      embedded = null;
    },
    start: async () => {
      embedded = await startBroker({ port });
    },
  };
});
afterAll(async () => {
  await embedded?.close();
});

describe('remote admin against the embedded aedes broker', () => {
  it('falls back to MQTT 3.1.1', async () => {
    const panel = await startPanel(broker);
    expect(panel.remote.protocolVersion).toBe(4);
    panel.stop();
  });
  it('pairs through the QR payload and carries out signed commands', () => pairingAndCommands(broker), 60_000);
  it('refuses a replayed command and one signed by an unpaired key, and logs both', () => replayAndUnpaired(broker), 60_000);
  it('delivers events queued while it was down once it is back (in-memory broker: catch-up fills the gap)', () => outageAndRecovery(broker), 90_000);
});
