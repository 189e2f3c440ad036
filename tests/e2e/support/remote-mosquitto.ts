import { connectMqtt, type MqttLike } from '../../../src/remote/link.ts';

/** A client on the test's broker that plays the hostile broker: it sees and re-sends anything. */
export function spyClient(url: string): MqttLike {
  return connectMqtt({ url, clientId: `e2e-spy-${Math.random().toString(36).slice(2)}`, sessionExpirySeconds: 0, backoff: { baseMs: 100, maxMs: 500 } });
}
export { startMosquitto, type Mosquitto } from '../../remote/mosquitto.ts';
