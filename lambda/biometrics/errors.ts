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
