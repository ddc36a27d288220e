/**
 * What biometrics reports to its callers as typed errors, so that the API layer can tell a caller's bad audio from
 * an installation problem and map each to its Voice ID error without biometrics knowing the Voice ID vocabulary.
 * Arguments that callers are expected to have validated (sample rates, vector sizes, ChannelId) are RangeErrors.
 */

/** The audio breaks Voice ID's input rules or is damaged; the message says what to fix. */
export class AudioFormatError extends Error {
  readonly name = 'AudioFormatError';
}

/**
 * The model file is missing or is not the pinned one. This is an installation problem, not a caller's error: the
 * message names the command that fixes it.
 */
export class SpeakerModelNotProvisioned extends Error {
  readonly name = 'SpeakerModelNotProvisioned';
}

/** Why a speech stream's state was refused. */
export type SpeechStreamStateProblem = 'CORRUPT' | 'VERSION' | 'MODEL';

/**
 * A live session's speech stream state cannot be used: damaged (CORRUPT), written by another version of this
 * format (VERSION), or made with another speaker model than the one asked to continue it (MODEL). None of these is
 * the caller's audio at fault, and none can be repaired: the session's speech has to be collected again.
 */
export class SpeechStreamStateError extends Error {
  readonly name = 'SpeechStreamStateError';

  constructor(
    readonly problem: SpeechStreamStateProblem,
    message: string,
  ) {
    super(message);
  }
}
