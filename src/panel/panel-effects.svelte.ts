// Everything the panel does by itself once it is built: faults to the flow, door events to the
// log, the bell, speech, frames to vision, keys from the camera, retention. services.ts only builds.
import type { Services } from '../services.ts';
import { doorLogEntry } from './door-log.ts';
import { scanForKeys } from './key-scanner.ts';
import { bellEvent } from './bell.ts';
import { cameraStill } from '../platform/camera-still.ts';
import { browserSpeaker } from '../platform/speech.ts';
import { spokenLine } from '../kiosk/spoken.ts';
import { every, type Clock } from '../platform/clock.ts';

/** Starts every side effect; the returned function stops them. */
export function startPanel(s: Services): () => void {
  const stops = [s.camera.start(), s.network.start(), s.wakeLock.start(), s.insight.start(), startDoorEvents(s), startBell(s), startSpeech(s), startKeyScanning(s), startRetention(s), startVision(s), startFaults(s), s.remote.start()];
  void s.storage.request();
  void s.updates.register();
  return () => {
    stops.forEach((stop) => stop());
    s.kiosk.stop();
  };
}

function startDoorEvents(s: Services): () => void {
  const stops = [
    s.door.on('door', (door) => {
      s.kiosk.dispatch({ type: 'door', door });
      void s.insight.door(door);
    }),
    s.door.on('tamper', (raised) => {
      if (raised) void s.insight.door('tamper');
    }),
    s.door.onEvery((e) => void s.log.append(doorLogEntry(e, s.clock.now()))),
  ];
  return () => stops.forEach((stop) => stop());
}

/**
 * A visitor who rings is logged (every paired phone rings with it), tells insight this is a
 * visitor, not a prowler, and waits for an answer with their picture: unanswered, it is logged
 * as missed with that picture.
 */
function startBell(s: Services): () => void {
  return s.kiosk.on('change', ({ state }) => {
    if (state.kind !== 'ringing') return;
    void s.log.append(bellEvent(s.clock.now()));
    s.call.ring(cameraStill(s.camera.stream));
    void s.insight.door('bell');
  });
}

function startSpeech(s: Services): () => void {
  const speaker = browserSpeaker(() => s.prefs.prefs.speech);
  return s.kiosk.on('change', ({ state }) => {
    const line = spokenLine(state);
    if (line) speaker.say(line);
  });
}

/**
 * Faces: frames flow to the vision worker while the camera is live; tracking drives the flow,
 * and each stable face's evidence goes to the Gatekeeper. An unsure passive liveness score makes
 * the policy ask for a blink, which the worker checks before the attempt is decided again.
 */
/**
 * Runs `use` on the camera's stream while there is one, and again on a new stream after the
 * camera comes back: the one place that follows the camera for its consumers.
 */
function whileCameraLive(camera: Services['camera'], clock: Clock, use: (stream: MediaStream) => () => void, everyMs: number): () => void {
  let current: { stream: MediaStream; stop: () => void } | null = null;
  const follow = () => {
    const stream = camera.stream;
    if (current && current.stream !== stream) {
      current.stop();
      current = null;
    }
    if (stream && !current) current = { stream, stop: use(stream) };
  };
  const stopFollowing = every(clock, everyMs, follow);
  follow();
  return () => {
    stopFollowing();
    current?.stop();
  };
}

function startVision(s: Services): () => void {
  const stopFrames = whileCameraLive(s.camera, s.clock, (stream) => s.vision.start(stream), 500);
  const stopSession = s.session.start();
  s.vision.preload();
  return () => {
    stopSession();
    stopFrames();
  };
}

/**
 * Camera, network, door controller and vision faults meet here, and a waiting update: the flow
 * learns of every change as an event, as it happens.
 */
function startFaults(s: Services): () => void {
  return $effect.root(() => {
    $effect(() => {
      const fault = s.camera.status === 'denied' ? 'cameraDenied' : s.camera.status === 'missing' || s.camera.status === 'error' ? 'cameraMissing' : null;
      s.kiosk.dispatch({ type: 'fault', fault: 'cameraDenied', active: fault === 'cameraDenied' });
      s.kiosk.dispatch({ type: 'fault', fault: 'cameraMissing', active: fault === 'cameraMissing' });
    });
    $effect(() => {
      s.kiosk.dispatch({ type: 'network', online: s.network.online });
    });
    $effect(() => {
      // Connecting at boot is not a fault; only a link that was lost or refuses to work is.
      s.kiosk.dispatch({ type: 'fault', fault: 'noDoorController', active: s.door.view.tone === 'bad' });
    });
    $effect(() => {
      const broken = s.vision.status === 'models-missing' || s.vision.status === 'error';
      s.kiosk.dispatch({ type: 'fault', fault: 'noModels', active: broken });
    });
    // An update waits for a quiet door, then reloads the kiosk by itself.
    $effect(() => {
      if (s.updates.state === 'waiting' && s.kiosk.quiet) s.updates.applyIfWaiting();
    });
    // On the page root for an installer's devtools (and the update test): what the kiosk knows of updates.
    $effect(() => {
      document.documentElement.dataset.update = s.updates.state;
    });
  });
}

/** Guest keys are read from the camera picture while nobody is mid-interaction. */
function startKeyScanning(s: Services): () => void {
  return whileCameraLive(s.camera, s.clock, (stream) => scanForKeys(stream, (tokens) => s.session.keysSeen(tokens), () => s.session.wantsKeys), 1000);
}

function startRetention(s: Services): () => void {
  const prune = () => void s.log.prune(s.prefs.retention).catch((err) => console.warn('[retention]', err));
  // Self-enrolled guests' faces and passes go when their key's window ends, to the minute.
  const endStays = () => void s.people.removeEndedStays(s.clock.now()).catch((err) => console.warn('[retention] stays', err));
  prune();
  endStays();
  const stops = [every(s.clock, 3_600_000, prune), every(s.clock, 60_000, endStays)];
  return () => stops.forEach((stop) => stop());
}
