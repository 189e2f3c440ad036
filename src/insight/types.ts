/**
 * What the insight layer reads: a small, plain view of the access log. The store's records are
 * mapped onto these by the app; nothing here depends on how they are kept. Instants are epoch ms.
 */

export type CredentialKind = 'face' | 'pin' | 'guestKey' | 'remote' | 'exitButton';

export const CREDENTIAL_KINDS: readonly CredentialKind[] = ['face', 'pin', 'guestKey', 'remote', 'exitButton'];

/** The access decision's outcome as logged ('ring' = not recognised, the bell was offered). */
export type AttemptOutcome = 'grant' | 'deny' | 'stepUp' | 'ring';

/** Everything known about an attempt before it is decided: what the risk score is computed from. */
export interface AttemptInput {
  readonly at: number;
  readonly doorId: string;
  /** The matched, claimed or key-named person; null when nobody was recognised. */
  readonly personId: string | null;
  readonly credential: CredentialKind;
  /** Face match similarity 0..1, null when no face was matched. */
  readonly matchScore: number | null;
  /** Passive liveness 0..1, null when no face was scored. */
  readonly liveness: number | null;
  /** Faces in the frame at the decision. */
  readonly faces: number;
  /** Of those, how many matched an enrolled person; absent: only the subject (1 when personId is set). */
  readonly knownFaces?: number;
  /** Embedding of the largest unrecognised face in frame, for clustering unknown visitors. */
  readonly unknownEmbedding?: Float32Array;
  readonly snapshotId?: string;
}

export interface AttemptEvent extends AttemptInput {
  readonly type: 'attempt';
  readonly id: string;
  readonly outcome: AttemptOutcome;
  /** The access layer's reason codes, e.g. 'spoofSuspected', 'pinWrong'. */
  readonly reasons: readonly string[];
}

/**
 * From the panel bridge ('heldOpen', 'forced', 'tamper') and the kiosk ('bell': a visitor rang).
 * 'bell' is here because an unknown face that rings is a visitor, one that does not is loitering.
 */
export type DoorEventKind = 'opened' | 'closed' | 'heldOpen' | 'forced' | 'tamper' | 'bell';

export interface DoorEvent {
  readonly type: 'door';
  readonly id: string;
  readonly at: number;
  readonly doorId: string;
  readonly kind: DoorEventKind;
}

export type AccessEvent = AttemptEvent | DoorEvent;

/** Structurally the access layer's RiskHint, plus the detail the admin log shows. */
export interface RiskAssessment {
  /** 0..1: below the step-up threshold nothing changes. */
  readonly score: number;
  readonly reasons: readonly RiskReason[];
  /** Per-reason contribution before combining, for the decision log. */
  readonly parts: Readonly<Partial<Record<RiskReason, number>>>;
}

export type RiskReason =
  | 'coldStart'
  | 'usualHour'
  | 'unusualHour'
  | 'unusualCredential'
  | 'quietHour'
  | 'failureStreak'
  | 'personFailureStreak'
  | 'recentSpoof'
  | 'tailgating'
  | 'loitering'
  | 'inhumanSpeed'
  | 'recentForcedDoor'
  | 'recentHeldOpen'
  | 'recentTamper';
