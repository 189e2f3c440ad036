/**
 * Why an input is refused, as the pure checks say it (src/access/pin.ts, schedule.ts,
 * src/panel/panel-settings.ts, call-relay.ts, src/remote/broker-url.ts): each check takes a `Say`
 * and speaks English (`english`) unless a screen hands in the device's. Also the old -> new
 * record of changed settings, which the phone shows after a save (the log keeps it in English).
 * en.ts spreads these in, so they are `WordKey`s like any other.
 */
export const enProblems = {
  'problem.pin.format': 'PIN must be {min} to {max} digits',
  'problem.pin.oneDigit': 'PIN must not repeat one digit',
  'problem.pin.duressFormat': 'duress PIN must be {min} to {max} digits',
  'problem.pin.duressSame': 'duress PIN must differ from the PIN',

  'problem.schedule.timeZone': 'unknown time zone "{zone}"',
  'problem.schedule.window': 'window {i}',
  'problem.schedule.exceptionSpan': 'exception {i} span {j}',
  'problem.schedule.noDays': '{label}: no days',
  'problem.schedule.unknownDay': '{label}: unknown day "{day}"',
  'problem.schedule.rangeDates': 'range {i}: dates must be YYYY-MM-DD',
  'problem.schedule.rangeOrder': 'range {i}: ends before it starts',
  'problem.schedule.exceptionDate': 'exception {i}: date must be YYYY-MM-DD',
  'problem.schedule.start': '{label}: start must be HH:MM before 24:00',
  'problem.schedule.end': '{label}: end must be HH:MM or 24:00',

  'problem.setting.doorNameText': 'The door name must be text.',
  'problem.setting.doorNameEmpty': 'The door name must not be empty.',
  'problem.setting.doorNameLong': 'The door name must be at most {max} characters.',
  'problem.setting.doorNameControl': 'The door name must not contain line breaks or other control characters.',
  'problem.setting.faceMatch': 'Face match threshold must be {min} to {max}.',
  'problem.setting.livenessPass': 'Liveness threshold must be {min} to {max}.',
  'problem.setting.riskStepUp': 'Risk level for a second factor must be {min} to {max}.',
  'problem.setting.pulseMs': 'Unlock time must be {min} to {max} seconds.',
  'problem.setting.retentionDays': 'Keep events for {min} to {max} days.',
  'problem.setting.snapshotMb': 'Snapshot space must be {min} to {max} MB.',
  'problem.setting.quietShape': 'Quiet hours must be a start and an end hour.',
  'problem.setting.quietHours': 'Quiet hours start and end must be whole hours, 0 to 23.',
  'problem.setting.quietSame': 'Quiet hours must not start and end at the same hour (turn them off instead).',
  'problem.setting.notNamed': 'Settings must be a set of named values.',
  'problem.setting.unknown': 'Unknown setting "{key}".',
  'problem.setting.nothing': 'Nothing to change.',

  'problem.relay.shape': 'The call relay must be a TURN address with a username and password.',
  'problem.relay.urlLong': 'The call relay address is too long.',
  'problem.relay.url': 'The call relay address must look like turn:turn.example.net:3478 (turn: or turns:, a host, an optional port).',
  'problem.relay.port': 'The call relay port must be 1 to 65535.',
  'problem.relay.usernameMissing': 'The call relay needs its username.',
  'problem.relay.usernameLong': 'The call relay username must be at most {max} characters.',
  'problem.relay.usernameControl': 'The call relay username must not contain line breaks or other control characters.',
  'problem.relay.passwordMissing': 'The call relay needs its password.',
  'problem.relay.passwordLong': 'The call relay password must be at most {max} characters.',
  'problem.relay.passwordControl': 'The call relay password must not contain line breaks or other control characters.',

  'problem.change.doorName': 'door name',
  'problem.change.faceMatch': 'face match threshold',
  'problem.change.livenessPass': 'liveness threshold',
  'problem.change.riskStepUp': 'risk level for a second factor',
  'problem.change.pulseMs': 'unlock time',
  'problem.change.retentionDays': 'access log retention',
  'problem.change.snapshotMb': 'snapshot space',
  'problem.change.quietHours': 'quiet hours',
  'problem.change.callRelay': 'call relay (TURN)',
  'problem.change.line': '{label} {from} -> {to}',
  'problem.change.off': 'off',
  'problem.change.days': '{n} days',

  'problem.pair.refusedOne': '{n} pairing attempt with a wrong code was refused. The code shown still works; each attempt is in the access log.',
  'problem.pair.refusedMany': '{n} pairing attempts with a wrong code were refused. The code shown still works; each attempt is in the access log.',

  'problem.broker.loopback': 'The pairing code names the broker at {url}, an address that means "this same machine": the kiosk was opened at localhost, so this phone cannot reach it. On the panel, open the kiosk at its address on the network (the start-up banner\'s "On the LAN" line), press Pair a phone again and use the new code.',
  'problem.broker.https': 'This page is served over HTTPS, and a browser will not open the plain ws:// broker this pairing code names ({url}). Give the broker a wss:// listener (npm start gives its own broker one on the LAN) and pair again, or open this page over http:// on the same network.',
  'problem.broker.timeout': 'This phone could not reach the broker at {url} in {s} s. Check that the phone is on the same network as the panel and that the broker is running.{cert} Then pair again.',
  'problem.broker.timeoutCert': ' If the broker uses the panel\'s self-signed certificate, open {url} once on this phone and accept it.',
} as const;
