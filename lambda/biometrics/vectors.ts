/**
 * Vector arithmetic shared by the speaker models (speaker-model.ts) and the voiceprints built from their embeddings
 * (voiceprint.ts, speech-stream.ts), kept apart so that neither has to import the other.
 */

/** The vector scaled to unit length, as Float32 as voiceprints are stored; a zero vector stays zero. */
export function normalise(vector: Float32Array | Float64Array): Float32Array {
  let squares = 0;
  for (const value of vector) squares += value * value;
  const norm = Math.sqrt(squares);
  return Float32Array.from(vector, (value) => (norm > 0 ? value / norm : value));
}
