/**
 * A change one store prepared for another to write in the same transaction: a voiceprint with its speaker's new
 * status, a ClientToken's claim with what the call created, a batch entry's result with its enrollment. Only the
 * stores make and read them; to everyone else they are opaque.
 */
export interface StagedWrite {
  readonly write: object;
  /** The error to throw when the write's condition fails (the claim is taken, the owner changed). */
  readonly onConditionFailed?: () => Error;
}
