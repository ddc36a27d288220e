/**
 * Vector arithmetic shared by the speaker models (speaker-model.ts) and the voiceprints built from their embeddings
 * (voiceprint.ts, speech-stream.ts), kept apart so that neither has to import the other.
 */

/**
 * Adds a vector to a running sum, weighted: a piece's embedding by the seconds of speech it stands for (so that a
 * short last piece counts for what it holds), a cohort's voice by 1 or -1.
 */
export function addWeighted(sum: Float64Array, vector: Float32Array, weight: number): void {
  if (vector.length !== sum.length) {
    throw new RangeError(`Cannot add a vector of ${vector.length} dimensions to a sum of ${sum.length}.`);
  }
  for (let i = 0; i < sum.length; i++) sum[i] += vector[i] * weight;
}

/** The vector scaled to unit length, as Float32 as voiceprints are stored; a zero vector stays zero. */
export function normalise(vector: Float32Array | Float64Array): Float32Array {
  let squares = 0;
  for (const value of vector) squares += value * value;
  const norm = Math.sqrt(squares);
  return Float32Array.from(vector, (value) => (norm > 0 ? value / norm : value));
}
