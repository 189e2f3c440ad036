import { describe, expect, it } from 'vitest';
import { pinProblem, scheduleProblems } from '../../access/index.ts';
import { brokerTimeoutText } from '../../remote/broker-url.ts';
import { checkSettingsPatch, describeChanges, SETTING_LABELS, settingProblem } from '../../panel/panel-settings.ts';
import { catalogue, sayer } from './index.ts';

const german = sayer(catalogue('de'));
const badSchedule = { timeZone: 'Europe/Berlin', windows: [{ days: [], start: '25:00', end: '17:00' }] };

describe('refusal reasons in the words catalogue', () => {
  it('a German sayer speaks a PIN problem, a schedule problem and a settings problem in German', () => {
    expect(pinProblem('12')).toBe('PIN must be 4 to 8 digits');
    expect(pinProblem('12', undefined, german)).toBe('Die PIN muss 4 bis 8 Ziffern haben');
    expect(pinProblem('2468', '2468', german)).toBe('Die Notfall-PIN muss sich von der PIN unterscheiden');
    expect(scheduleProblems(badSchedule)).toEqual(['window 0: no days', 'window 0: start must be HH:MM before 24:00']);
    expect(scheduleProblems(badSchedule, german)).toEqual(['Zeitfenster 0: keine Tage', 'Zeitfenster 0: Beginn als HH:MM vor 24:00 angeben']);
    expect(settingProblem('pulseMs', 500)).toBe('Unlock time must be 1 to 30 seconds.');
    expect(settingProblem('pulseMs', 500, german)).toBe('Die Öffnungszeit muss 1 bis 30 Sekunden betragen.');
    expect(checkSettingsPatch({ doorName: '', colour: 'red' }, german)).toEqual({ ok: false, problems: ['Der Name der Tür darf nicht leer sein.', 'Unbekannte Einstellung „colour“.'] });
    expect(settingProblem('callRelay', { url: 'turn:relay.example.net', username: 'door', credential: '' }, german)).toBe('Das Anruf-Relais braucht sein Passwort.');
  });
  it('keeps the English as it was: the default, for the log and for replies on the wire', () => {
    expect(checkSettingsPatch({ doorName: '', colour: 'red' })).toEqual({ ok: false, problems: ['The door name must not be empty.', 'Unknown setting "colour".'] });
    expect(checkSettingsPatch({})).toEqual({ ok: false, problems: ['Nothing to change.'] });
    expect(settingProblem('faceMatch', 2)).toMatch(/^Face match threshold must be 0\.\d\d to 0\.80\.$/);
    expect(settingProblem('callRelay', { url: 'turn:relay.example.net', username: '', credential: 'x' })).toBe('The call relay needs its username.');
    expect(SETTING_LABELS.callRelay).toBe('call relay (TURN)');
    const changes = [{ key: 'retentionDays', from: 30, to: 90 }, { key: 'quietHours', from: { startHour: 22, endHour: 7 }, to: null }] as const;
    expect(describeChanges(changes)).toBe('access log retention 30 days -> 90 days; quiet hours 22:00-07:00 -> off');
    expect(describeChanges(changes, german)).toBe('Aufbewahrung des Zutrittsprotokolls 30 Tage -> 90 Tage; Ruhezeiten 22:00-07:00 -> aus');
    expect(brokerTimeoutText('wss://10.0.0.2:8091', 20)).toBe(
      "This phone could not reach the broker at wss://10.0.0.2:8091 in 20 s. Check that the phone is on the same network as the panel and that the broker is running. If the broker uses the panel's self-signed certificate, open https://10.0.0.2:8091 once on this phone and accept it. Then pair again.",
    );
    expect(brokerTimeoutText('ws://10.0.0.2:1884', 5, german)).toMatch(/^Dieses Handy hat den Broker unter ws:\/\/10\.0\.0\.2:1884 in 5 s nicht erreicht\. .* Koppeln Sie dann erneut\.$/);
  });
});
