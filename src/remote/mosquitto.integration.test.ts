import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMqtt } from './link.ts';
import { outageAndRecovery, pairingAndCommands, replayAndUnpaired, bogusPairingProofs, ringReachesEveryPhone, staleRetainedReplays, startPanel, waitFor, type BrokerUnderTest } from '../../tests/remote/scenario.ts';
import { startMosquitto, type Mosquitto } from '../../tests/remote/mosquitto.ts';

// Real Mosquitto (Debian), real MQTT.js over WebSockets, real WebCrypto: only storage is in memory.
let mosquitto: Mosquitto;
let broker: BrokerUnderTest;

beforeAll(async () => {
  mosquitto = await startMosquitto();
  broker = { url: mosquitto.url, connect: connectMqtt, stop: () => mosquitto.stop(), start: () => mosquitto.start() };
}, 30_000);
afterAll(async () => {
  await mosquitto?.dispose();
});

describe('remote admin against a real Mosquitto', () => {
  it('speaks MQTT 5 with it', async () => {
    const panel = await startPanel(broker);
    expect(panel.remote.protocolVersion).toBe(5);
    panel.stop();
    await waitFor('panel stopped', () => panel.remote.status === 'offline');
  });
  it('pairs through the QR payload and carries out signed commands', () => pairingAndCommands(broker), 60_000);
  it('refuses a replayed command and one signed by an unpaired key, and logs both', () => replayAndUnpaired(broker), 60_000);
  it('a phone pairs whatever junk and guessed codes reach the panel while its QR is up, and the panel says someone tried', () => bogusPairingProofs(broker), 60_000);
  it('Ring at the kiosk reaches every paired phone as a notification and a log line; a stranger standing there notifies by no attempt of theirs', () => ringReachesEveryPhone(broker), 60_000);
  it('a re-published retained state, config and "offline" change nothing on a phone, open or reopened', () => staleRetainedReplays(broker), 60_000);
  it('keeps deciding through a broker outage and delivers every queued event once', () => outageAndRecovery(broker), 90_000);
});
