/** What the vision pipeline hands the access decision for one face: who it looks like, and how live. */
export interface FaceMatch {
  /** Best-matching enrolled person, or null when nobody came close. */
  readonly personId: string | null;
  /** Similarity to that person's templates, higher is better (the matcher's scale, 0..1). */
  readonly score: number;
  /** Best score minus the best score of any other person; small means "could be someone else". */
  readonly margin: number;
  /** Consecutive frames that agreed on this person. */
  readonly agreedFrames: number;
}

export interface Liveness {
  /** Passive anti-spoof score 0..1, higher is more likely a live face. */
  readonly passive: number;
  /** Result of an active check (blink, head turn): null when none was asked for yet. */
  readonly active: boolean | null;
}

export interface FaceEvidence {
  readonly match: FaceMatch;
  readonly liveness: Liveness;
}
