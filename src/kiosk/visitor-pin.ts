/** The visitor PIN pad's contract with the access layer: a PIN in; its outcome goes to the flow. */
export interface PinChecker {
  /** Resolves once the outcome is on the screen; one check runs at a time for the whole panel. */
  check(pin: string): Promise<void>;
}
