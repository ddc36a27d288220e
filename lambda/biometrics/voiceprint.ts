/**
 * From 8 kHz call audio to a voiceprint: keep only the speech, check there is enough of it, resample to the
 * model's rate and embed.
 *
 * Silence is cut out before embedding, not only left out of the count: the model averages over every 1.6 s window
 * it is given, and windows of line noise make every caller look alike (model/README.md measured impostor scores
 * far above the calibrated threshold on untrimmed audio with long pauses).
 */
import { resample } from './resample.ts';
import type { SpeakerEmbedder } from './speaker-model.ts';
import { detectSpeech } from './vad.ts';
import { addWeighted, normalise } from './vectors.ts';
import { VOICE_ID_SAMPLE_RATE } from './wav.ts';

/** Voice ID's figures: enrollment needs 30 s of net speech; authentication 10 s by default, configurable 5-10 s. */
export const ENROLLMENT_SPEECH_SECONDS = 30;
export const DEFAULT_AUTHENTICATION_SPEECH_SECONDS = 10;

/**
 * Longer speech is embedded in pieces of at most this length and the embeddings averaged: the model holds every
 * 1.6 s window of its input in memory at once, about 13 MB per minute, and a 20 MB file is 21 minutes of audio.
 */
const MAX_PIECE_SECONDS = 60;

export interface Voiceprint {
  /** The model that made it; voiceprints of different models cannot be compared. */
  model: string;
  /** L2-normalised. */
  vector: Float32Array;
  speechSeconds: number;
}

export type VoiceprintResult =
  | { status: 'OK'; voiceprint: Voiceprint }
  | { status: 'NOT_ENOUGH_SPEECH'; speechSeconds: number; requiredSeconds: number };

/** The speech in 8 kHz audio, with the silence between segments cut out. */
export async function extractSpeech(samples: Float32Array): Promise<Float32Array> {
  const { segments } = await detectSpeech(samples, VOICE_ID_SAMPLE_RATE);
  const pieces = segments.map(({ start, end }) =>
    samples.subarray(Math.round(start * VOICE_ID_SAMPLE_RATE), Math.round(end * VOICE_ID_SAMPLE_RATE)),
  );
  return concatenate(pieces);
}

/**
 * A voiceprint of the speech in one or more 8 kHz recordings of the same speaker (an enrollment may come from
 * several), or NOT_ENOUGH_SPEECH when they hold less than `requiredSeconds` of it together.
 */
export async function voiceprint(
  recordings: Float32Array[],
  requiredSeconds: number,
  embedder: SpeakerEmbedder,
): Promise<VoiceprintResult> {
  const speech = concatenate(await Promise.all(recordings.map(extractSpeech)));
  const speechSeconds = speech.length / VOICE_ID_SAMPLE_RATE;
  if (speechSeconds < requiredSeconds) return { status: 'NOT_ENOUGH_SPEECH', speechSeconds, requiredSeconds };
  return { status: 'OK', voiceprint: { model: embedder.name, vector: await embedSpeech(speech, embedder), speechSeconds } };
}

/**
 * The L2-normalised mean of the embeddings of equal pieces of 8 kHz speech; one piece up to MAX_PIECE_SECONDS,
 * which then equals the model's own pooling over its 1.6 s windows.
 */
export async function embedSpeech(speech: Float32Array, embedder: SpeakerEmbedder): Promise<Float32Array> {
  if (speech.length === 0) throw new RangeError('There is no speech to embed.');
  const pieces = Math.ceil(speech.length / (MAX_PIECE_SECONDS * VOICE_ID_SAMPLE_RATE));
  const pieceLength = Math.ceil(speech.length / pieces);
  const sum = new Float64Array(embedder.dimension);
  for (let start = 0; start < speech.length; start += pieceLength) {
    const piece = speech.subarray(start, start + pieceLength);
    addWeighted(sum, await embedPiece(piece, embedder), piece.length / VOICE_ID_SAMPLE_RATE);
  }
  return normalise(sum);
}

/**
 * The embedding of one piece of 8 kHz speech, resampled to the model's rate. A recording's speech and a live
 * session's are embedded by this one function, so the two give comparable voiceprints.
 */
export function embedPiece(speech: Float32Array, embedder: SpeakerEmbedder): Promise<Float32Array> {
  return embedder.embed(resample(speech, VOICE_ID_SAMPLE_RATE, embedder.sampleRate));
}

export function concatenate(parts: Float32Array[]): Float32Array {
  const result = new Float32Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
