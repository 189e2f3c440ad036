import { Seconds, Time, type Timer } from '@matter/main';
import { DoorLockBehavior } from '@matter/main/behaviors/door-lock';
import { DoorLock } from '@matter/main/clusters/door-lock';
import { Status, StatusResponseError } from '@matter/main/types';
import type { PersonSummary } from '../../src/panel/actions.ts';
import type { RemoteEvent, RemoteState } from '../../src/remote/messages.ts';
import { lockHappeningOf, type LockSource } from './lock-events.ts';
import { PanelRefused, type PanelPort } from './panel-port.ts';
import { pinFromBytes, type Assignments, type LockUser, type UserBook } from './users.ts';
import type { ScheduleSlots } from './file-store.ts';
import { rangeOf, scheduleOf, slotsOf, weekDayProblem, type Slots } from './schedules.ts';

const { LockState, DoorState, LockOperationType, OperationSource, OperationError, CredentialType, DataOperationType, UserStatus, UserType, CredentialRule, LockDataType } = DoorLock;

/** "Every user" / "every credential" in Matter's clear commands. */
const ALL = 0xfffe;
/** "Every schedule of this user" in ClearWeekDaySchedule and ClearYearDaySchedule. */
const ALL_SCHEDULES = 0xfe;

/**
 * What the lock server is given by the bridge: the panel, the user book and where to keep its
 * assignments. Registered in the node's environment (Environment services are looked up by class).
 */
export class DoorwardLink {
  constructor(
    readonly panel: PanelPort,
    readonly book: UserBook,
    readonly saveAssignments: (a: Assignments) => Promise<void>,
    /** How long the relay stays open after an unlock, shown to controllers as auto-relock. */
    readonly pulseSeconds: number,
    readonly log: (m: string) => void = () => undefined,
    readonly schedules: ScheduleSlots = { get: () => undefined, save: async () => undefined },
  ) {}

  /** The panel's IANA zone, learnt from its answer to the bridge's report; null until then. */
  timeZone: string | null = null;
}

const SOURCE: Record<LockSource, DoorLock.OperationSource> = { biometric: OperationSource.Biometric, keypad: OperationSource.Keypad, remote: OperationSource.Remote };

/**
 * The panel as a Matter Door Lock. Nothing is decided here: lock and unlock are commands to the
 * panel, a PIN is checked by the panel (its pad's people, failure count and back-off), and the
 * user list is the panel's people. The bridge keeps no PIN, not even encrypted: a Matter GetUser
 * says a PIN exists, never what it is. A face shows as a face credential and is never exported;
 * a controller cannot add one (Doorward enrols faces at the panel).
 */
export class DoorwardLockServer extends DoorLockBehavior.with('User', 'PinCredential', 'FaceCredentials', 'DoorPositionSensor', 'CredentialOverTheAirAccess', 'WeekDayAccessSchedules', 'YearDayAccessSchedules') {
  declare internal: DoorwardLockServer.Internal;

  override initialize(): void {
    const link = this.#link;
    this.state.requirePinForRemoteOperation = true;
    this.state.autoRelockTime = link.pulseSeconds;
    this.reactTo(link.panel.events, this.#onPanelEvent, { lock: true, offline: true });
    this.reactTo(link.panel.state, this.#onPanelState, { lock: true, offline: true });
    const s = link.panel.lastState;
    if (s) this.#onPanelState(s);
  }

  override [Symbol.asyncDispose](): void {
    this.internal.relock?.stop();
  }

  get #link(): DoorwardLink {
    return this.env.get(DoorwardLink);
  }

  // --- lock and unlock ------------------------------------------------------------------------

  /** Locking is always safe, so it needs no PIN; the panel ends the relay pulse at once. */
  override async lockDoor(): Promise<void> {
    if (!(await this.#link.panel.lock().catch(() => false))) {
      this.#operationError(LockOperationType.Lock, OperationError.Unspecified);
      throw new StatusResponseError('the panel did not lock', Status.Failure);
    }
    this.#relocked(OperationSource.Remote, this.#fabric, this.#sourceNode);
  }

  override async unlockDoor(request: DoorLock.UnlockDoorRequest): Promise<void> {
    const pin = request.pinCode === undefined ? null : pinFromBytes(request.pinCode);
    if (pin === null) {
      // No PIN, or not one Doorward could hold: refused without asking the panel, and said so.
      this.#operationError(LockOperationType.Unlock, OperationError.InvalidCredential);
      throw new StatusResponseError(request.pinCode === undefined ? 'this door needs a PIN to unlock remotely' : 'not a PIN', Status.Failure);
    }
    let answer;
    try {
      answer = await this.#link.panel.unlockWithPin(pin);
    } catch (err) {
      this.#operationError(LockOperationType.Unlock, OperationError.Unspecified);
      throw new StatusResponseError(err instanceof PanelRefused ? err.message : 'the panel did not answer', Status.Failure);
    }
    if (!answer.opened) {
      const user = this.#link.book.byPerson(answer.personId);
      this.#operationError(LockOperationType.Unlock, answer.reason === 'lockedOut' || answer.reason === 'pinWrong' ? OperationError.InvalidCredential : OperationError.Restricted, user);
      if (answer.reason === 'lockedOut') this.events.doorLockAlarm.emit({ alarmCode: DoorLock.AlarmCode.WrongCodeEntryLimit }, this.context);
      throw new StatusResponseError(`refused by the panel: ${answer.reason}`, Status.Failure);
    }
    const user = this.#link.book.byPerson(answer.personId);
    this.#unlocked(OperationSource.Remote, user, 'pin', this.#fabric, this.#sourceNode);
  }

  // --- users ----------------------------------------------------------------------------------

  override async setUser(request: DoorLock.SetUserRequest): Promise<void> {
    const book = await this.#refreshBook();
    const { userIndex, operationType } = request;
    if (userIndex < 1 || userIndex > this.state.numberOfTotalUsersSupported) throw new StatusResponseError('no such user index', Status.InvalidCommand);
    const existing = book.byIndex(userIndex);
    if (operationType === DataOperationType.Add) {
      if (existing || !book.isFree(userIndex)) throw new DoorLock.OccupiedError('user slot occupied');
      const personId = await this.#panelDoes(() => this.#link.panel.addPerson(nameOf(request.userName, userIndex)));
      book.assign(personId, userIndex);
      await this.#refreshBook();
      this.#userChanged(LockDataType.UserIndex, DataOperationType.Add, userIndex, null);
      return;
    }
    if (operationType !== DataOperationType.Modify || !existing) throw new StatusResponseError('no such user', Status.InvalidCommand);
    if (request.userName !== null && request.userName.trim() && request.userName.trim() !== existing.name) await this.#panelDoes(() => this.#link.panel.updatePerson(existing.personId, { name: request.userName!.trim().slice(0, 80) }));
    if (request.userStatus !== null) {
      const active = request.userStatus !== UserStatus.OccupiedDisabled;
      if (active !== existing.active) await this.#panelDoes(() => this.#link.panel.setActive(existing.personId, active));
    }
    await this.#refreshBook();
    this.#userChanged(LockDataType.UserIndex, DataOperationType.Modify, userIndex, null);
  }

  override async getUser(request: DoorLock.GetUserRequest): Promise<DoorLock.GetUserResponse> {
    const book = await this.#refreshBook();
    const { userIndex } = request;
    if (userIndex < 1 || userIndex > this.state.numberOfTotalUsersSupported) throw new StatusResponseError('no such user index', Status.InvalidCommand);
    const u = book.byIndex(userIndex);
    const nextUserIndex = book.nextOccupied(userIndex);
    if (!u) return { userIndex, userName: null, userUniqueId: null, userStatus: null, userType: null, credentialRule: null, credentials: null, creatorFabricIndex: null, lastModifiedFabricIndex: null, nextUserIndex };
    const credentials = [
      ...(u.hasPin ? [{ credentialType: CredentialType.Pin, credentialIndex: u.userIndex }] : []),
      // Shown so a controller knows this person also enters by face; never readable, never settable from Matter.
      ...(u.hasFace ? [{ credentialType: CredentialType.Face, credentialIndex: u.userIndex }] : []),
    ];
    return {
      userIndex,
      userName: u.name.slice(0, 10),
      userUniqueId: null,
      userStatus: u.active ? UserStatus.OccupiedEnabled : UserStatus.OccupiedDisabled,
      userType: u.schedule ? UserType.ScheduleRestrictedUser : UserType.UnrestrictedUser,
      credentialRule: CredentialRule.Single,
      credentials,
      creatorFabricIndex: null,
      lastModifiedFabricIndex: null,
      nextUserIndex,
    };
  }

  override async clearUser(request: DoorLock.ClearUserRequest): Promise<void> {
    const book = await this.#refreshBook();
    const targets = request.userIndex === ALL ? book.users : [book.byIndex(request.userIndex)].filter((u): u is LockUser => u !== null);
    for (const u of targets) {
      // A person enrolled by face is kept (the panel refuses their erasure to a bridge): the lock loses only their PIN.
      if (u.hasFace) {
        if (u.hasPin) await this.#panelDoes(() => this.#link.panel.updatePerson(u.personId, { pin: null }));
      } else {
        await this.#panelDoes(() => this.#link.panel.removePerson(u.personId));
      }
    }
    await this.#refreshBook();
    this.#userChanged(LockDataType.UserIndex, DataOperationType.Clear, request.userIndex, null);
  }

  // --- PIN credentials ------------------------------------------------------------------------

  override async setCredential(request: DoorLock.SetCredentialRequest): Promise<DoorLock.SetCredentialResponse> {
    const book = await this.#refreshBook();
    const { credential, operationType } = request;
    const refused = (status: Status) => ({ status, userIndex: null, nextCredentialIndex: book.lowestFree() });
    if (credential.credentialType !== CredentialType.Pin) return refused(Status.InvalidCommand);
    const pin = pinFromBytes(request.credentialData);
    if (pin === null || pin.length < this.state.minPinCodeLength || pin.length > this.state.maxPinCodeLength) return refused(Status.InvalidCommand);
    // One PIN per person, numbered as the person: credential n is user n's PIN.
    const index = credential.credentialIndex;
    const owner = request.userIndex === null ? null : book.byIndex(request.userIndex);
    if (request.userIndex !== null && (!owner || request.userIndex !== index)) return refused(Status.InvalidCommand);
    try {
      if (operationType === DataOperationType.Add && owner === null) {
        if (!book.isFree(index)) return refused(Status.Failure);
        const personId = await this.#link.panel.addPerson(`Matter user ${index}`, pin);
        book.assign(personId, index);
        await this.#refreshBook();
        this.#userChanged(LockDataType.UserIndex, DataOperationType.Add, index, index);
        this.#userChanged(LockDataType.Pin, DataOperationType.Add, index, index);
        return { status: Status.Success, userIndex: index, nextCredentialIndex: book.lowestFree() };
      }
      if (!owner || (operationType === DataOperationType.Add && owner.hasPin) || (operationType === DataOperationType.Modify && !owner.hasPin)) return refused(operationType === DataOperationType.Add ? Status.Failure : Status.InvalidCommand);
      await this.#link.panel.updatePerson(owner.personId, { pin });
    } catch (err) {
      // The panel's word (a PIN someone else has, a weak one): the controller is told it failed.
      this.#link.log(`set credential refused: ${err instanceof Error ? err.message : String(err)}`);
      return refused(Status.Failure);
    }
    await this.#refreshBook();
    this.#userChanged(LockDataType.Pin, operationType, index, index);
    return { status: Status.Success, userIndex: null, nextCredentialIndex: book.lowestFree() };
  }

  override async getCredentialStatus(request: DoorLock.GetCredentialStatusRequest): Promise<DoorLock.GetCredentialStatusResponse> {
    const book = await this.#refreshBook();
    const { credentialType, credentialIndex } = request.credential;
    const u = book.byIndex(credentialIndex);
    const exists = u !== null && ((credentialType === CredentialType.Pin && u.hasPin) || (credentialType === CredentialType.Face && u.hasFace));
    const next = book.users.find((x) => x.userIndex > credentialIndex && (credentialType === CredentialType.Pin ? x.hasPin : x.hasFace))?.userIndex ?? null;
    return { credentialExists: exists, userIndex: exists ? credentialIndex : null, creatorFabricIndex: null, lastModifiedFabricIndex: null, nextCredentialIndex: next };
  }

  override async clearCredential(request: DoorLock.ClearCredentialRequest): Promise<void> {
    const book = await this.#refreshBook();
    const c = request.credential;
    if (c !== null && c.credentialType !== CredentialType.Pin) throw new StatusResponseError('only PINs are managed from Matter', Status.InvalidCommand);
    const targets = c === null || c.credentialIndex === ALL ? book.users.filter((u) => u.hasPin) : [book.byIndex(c.credentialIndex)].filter((u): u is LockUser => u?.hasPin === true);
    if (c !== null && c.credentialIndex !== ALL && targets.length === 0) throw new StatusResponseError('no such credential', Status.InvalidCommand);
    for (const u of targets) await this.#panelDoes(() => this.#link.panel.updatePerson(u.personId, { pin: null }));
    await this.#refreshBook();
    this.#userChanged(LockDataType.Pin, DataOperationType.Clear, null, c?.credentialIndex ?? ALL);
  }

  // --- schedules (schedules.ts: which map to Doorward access times, and which are refused) ----

  override async setWeekDaySchedule(request: DoorLock.SetWeekDayScheduleRequest): Promise<void> {
    const { weekDayIndex, userIndex, ...entry } = request;
    this.#scheduleIndex(weekDayIndex, this.state.numberOfWeekDaySchedulesSupportedPerUser);
    const problem = weekDayProblem(entry);
    if (problem) throw new StatusResponseError(problem, Status.InvalidCommand);
    await this.#changeSlots(userIndex, (s) => ({ ...s, week: { ...s.week, [weekDayIndex]: { daysMask: { ...entry.daysMask }, startHour: entry.startHour, startMinute: entry.startMinute, endHour: entry.endHour, endMinute: entry.endMinute } } }));
  }

  override async getWeekDaySchedule(request: DoorLock.GetWeekDayScheduleRequest): Promise<DoorLock.GetWeekDayScheduleResponse> {
    const { weekDayIndex, userIndex } = request;
    const read = await this.#readSlots(userIndex, weekDayIndex, this.state.numberOfWeekDaySchedulesSupportedPerUser);
    const e = typeof read === 'number' ? undefined : read.week[weekDayIndex];
    if (!e) return { weekDayIndex, userIndex, status: typeof read === 'number' ? read : Status.NotFound };
    return { weekDayIndex, userIndex, status: Status.Success, ...e };
  }

  override async clearWeekDaySchedule(request: DoorLock.ClearWeekDayScheduleRequest): Promise<void> {
    const { weekDayIndex, userIndex } = request;
    if (weekDayIndex !== ALL_SCHEDULES) this.#scheduleIndex(weekDayIndex, this.state.numberOfWeekDaySchedulesSupportedPerUser);
    await this.#changeSlots(userIndex, (s) => ({ ...s, week: weekDayIndex === ALL_SCHEDULES ? {} : without(s.week, weekDayIndex) }));
  }

  override async setYearDaySchedule(request: DoorLock.SetYearDayScheduleRequest): Promise<void> {
    const { yearDayIndex, userIndex, localStartTime, localEndTime } = request;
    this.#scheduleIndex(yearDayIndex, this.state.numberOfYearDaySchedulesSupportedPerUser);
    const range = rangeOf({ localStartTime, localEndTime });
    if ('problem' in range) throw new StatusResponseError(range.problem, Status.InvalidCommand);
    await this.#changeSlots(userIndex, (s) => ({ ...s, year: { ...s.year, [yearDayIndex]: { localStartTime, localEndTime } } }));
  }

  override async getYearDaySchedule(request: DoorLock.GetYearDayScheduleRequest): Promise<DoorLock.GetYearDayScheduleResponse> {
    const { yearDayIndex, userIndex } = request;
    const read = await this.#readSlots(userIndex, yearDayIndex, this.state.numberOfYearDaySchedulesSupportedPerUser);
    const e = typeof read === 'number' ? undefined : read.year[yearDayIndex];
    if (!e) return { yearDayIndex, userIndex, status: typeof read === 'number' ? read : Status.NotFound };
    return { yearDayIndex, userIndex, status: Status.Success, ...e };
  }

  override async clearYearDaySchedule(request: DoorLock.ClearYearDayScheduleRequest): Promise<void> {
    const { yearDayIndex, userIndex } = request;
    if (yearDayIndex !== ALL_SCHEDULES) this.#scheduleIndex(yearDayIndex, this.state.numberOfYearDaySchedulesSupportedPerUser);
    await this.#changeSlots(userIndex, (s) => ({ ...s, year: yearDayIndex === ALL_SCHEDULES ? {} : without(s.year, yearDayIndex) }));
  }

  #scheduleIndex(index: number, max: number): void {
    if (!Number.isInteger(index) || index < 1 || index > max) throw new StatusResponseError('no such schedule index', Status.InvalidCommand);
  }

  /** A user's Matter schedules as the panel has them now, or the status to answer a Get with. */
  async #readSlots(userIndex: number, index: number, max: number): Promise<Slots | Status> {
    if (!Number.isInteger(index) || index < 1 || index > max || userIndex < 1 || userIndex > this.state.numberOfTotalUsersSupported) return Status.InvalidCommand;
    const u = (await this.#refreshBook()).byIndex(userIndex);
    const zone = this.#link.timeZone;
    if (!u) return Status.NotFound;
    if (!zone) return Status.Failure;
    return slotsOf(u.schedule, this.#link.schedules.get(u.personId), zone) ?? Status.Failure;
  }

  /** Changes a user's Matter schedules: the Doorward schedule they make is sent to the panel, which checks and keeps it. */
  async #changeSlots(userIndex: number, change: (s: Slots) => Slots): Promise<void> {
    const u = (await this.#refreshBook()).byIndex(userIndex);
    if (!u) throw new StatusResponseError('no such user', Status.InvalidCommand);
    const zone = this.#link.timeZone;
    if (!zone) throw new StatusResponseError('the panel has not told the bridge its time zone yet', Status.Failure);
    const current = slotsOf(u.schedule, this.#link.schedules.get(u.personId), zone);
    // Times set at the panel that Matter cannot show (a night window, exceptions) are not overwritten from here.
    if (!current) throw new StatusResponseError("this person's access times were set at the panel in a form Matter cannot show; change them there", Status.Failure);
    const next = change(current);
    const schedule = scheduleOf(next, zone);
    await this.#panelDoes(() => this.#link.panel.updatePerson(u.personId, { schedule }));
    await this.#link.schedules.save(u.personId, schedule ? next : null);
    await this.#refreshBook();
  }

  // --- from the panel ---------------------------------------------------------------------------

  #onPanelState(s: RemoteState): void {
    this.state.doorState = s.panel.doorOpen ? DoorState.DoorOpen : DoorState.DoorClosed;
  }

  #onPanelEvent(e: RemoteEvent): void {
    const h = lockHappeningOf(e);
    if (!h) return;
    if (h.kind === 'door') {
      this.state.doorState = h.open ? DoorState.DoorOpen : DoorState.DoorClosed;
      return;
    }
    // This bridge's own unlocks were announced when the command was answered.
    if (h.byAdmin !== null && h.byAdmin === this.#link.panel.adminId) return;
    const user = this.#link.book.byPerson(h.personId);
    this.#unlocked(SOURCE[h.source], user, h.credential === 'face' ? 'face' : h.credential === 'pin' ? 'pin' : null, null, null);
  }

  // --- helpers --------------------------------------------------------------------------------

  #unlocked(source: DoorLock.OperationSource, user: LockUser | null, credential: 'pin' | 'face' | null, fabricIndex: number | null, sourceNode: bigint | number | null): void {
    this.state.lockState = LockState.Unlocked;
    const credentials = user && credential ? [{ credentialType: credential === 'face' ? CredentialType.Face : CredentialType.Pin, credentialIndex: user.userIndex }] : null;
    this.events.lockOperation.emit({ lockOperationType: LockOperationType.Unlock, operationSource: source, userIndex: user?.userIndex ?? null, fabricIndex: fabricIndex as never, sourceNode: sourceNode as never, credentials }, this.context);
    // The relay closes by itself after its pulse; the lock says so when it does.
    this.internal.relock?.stop();
    this.internal.relock = Time.getTimer('doorward-relock', Seconds(this.state.autoRelockTime ?? 3), this.callback(() => this.#relocked(OperationSource.Auto, null, null), { lock: true })).start();
  }

  #relocked(source: DoorLock.OperationSource, fabricIndex: number | null, sourceNode: bigint | number | null): void {
    this.internal.relock?.stop();
    this.internal.relock = undefined;
    if (this.state.lockState === LockState.Locked && source === OperationSource.Auto) return;
    this.state.lockState = LockState.Locked;
    this.events.lockOperation.emit({ lockOperationType: LockOperationType.Lock, operationSource: source, userIndex: null, fabricIndex: fabricIndex as never, sourceNode: sourceNode as never, credentials: null }, this.context);
  }

  #operationError(type: DoorLock.LockOperationType, error: DoorLock.OperationError, user: LockUser | null = null): void {
    this.events.lockOperationError.emit({ lockOperationType: type, operationSource: OperationSource.Remote, operationError: error, userIndex: user?.userIndex ?? null, fabricIndex: this.#fabric as never, sourceNode: this.#sourceNode as never, credentials: null }, this.context);
  }

  #userChanged(type: DoorLock.LockDataType, op: DoorLock.DataOperationType, userIndex: number | null, dataIndex: number | null): void {
    this.events.lockUserChange.emit({ lockDataType: type, dataOperationType: op, operationSource: OperationSource.Remote, userIndex, fabricIndex: this.#fabric as never, sourceNode: this.#sourceNode as never, dataIndex }, this.context);
  }

  /** The user list as the panel has it now (people may have changed at the panel meanwhile). */
  async #refreshBook(): Promise<UserBook> {
    const link = this.#link;
    let people: PersonSummary[];
    try {
      people = await link.panel.people();
    } catch (err) {
      throw new StatusResponseError(`the panel did not answer: ${err instanceof Error ? err.message : String(err)}`, Status.Failure);
    }
    link.book.reconcile(people);
    await link.saveAssignments(link.book.assignments);
    return link.book;
  }

  /** A change the panel refused fails the Matter command with the panel's reason. */
  async #panelDoes<T>(change: () => Promise<T>): Promise<T> {
    try {
      return await change();
    } catch (err) {
      throw new StatusResponseError(err instanceof Error ? err.message : String(err), Status.Failure);
    }
  }

  get #fabric(): number | null {
    return this.context.fabric ?? null;
  }

  get #sourceNode(): bigint | number | null {
    const c = this.context as { subject?: { kind?: string; id?: bigint | number } };
    return c.subject?.kind === 'node' ? (c.subject.id ?? null) : null;
  }
}

export namespace DoorwardLockServer {
  export class Internal {
    relock?: Timer;
  }
}

function without<T>(byIndex: Readonly<Record<number, T>>, index: number): Record<number, T> {
  const { [index]: _gone, ...rest } = byIndex;
  return rest;
}

function nameOf(userName: string | null, index: number): string {
  const n = userName?.trim();
  return n ? n.slice(0, 80) : `Matter user ${index}`;
}
