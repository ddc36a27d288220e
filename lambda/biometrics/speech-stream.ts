/**
 * A live call's speech, worked out as its audio arrives: Silero VAD at 8 kHz, silence cut out, confirmed speech
 * resampled and embedded piece by piece. Chunks of one call may reach different Lambda sandboxes, so everything the
 * pipeline remembers between chunks lives in a state of opaque bytes that the caller keeps (sealed, in DynamoDB):
 * Silero's recurrent state and context, the segment being heard, the few hundred milliseconds of audio not yet
 * decided, the confirmed speech not yet embedded, and a seconds-weighted sum of the embeddings so far. Reading a
 * state runs no model, so evaluating a session is cheap however long the call.
 *
 * The speech found is the speech `detectSpeech` finds in the whole recording (same windows, same state machine;
 * vad.ts), whatever the chunk sizes. Its voiceprint differs from the batch `voiceprint` only in being pooled from
 * fixed pieces instead of the whole speech at once (see PIECE_SAMPLES); it does not depend on chunk sizes either.
 */
import { crc32 } from 'node:zlib';
import { SpeechStreamStateError } from './errors.ts';
import type { SpeakerEmbedder } from './speaker-model.ts';
import {
  freshSileroCarry,
  type SegmenterSnapshot,
  SILERO_STATE_SIZE,
  type SileroCarry,
  SpeechSegmenter,
  scoreWindows,
  sileroFraming,
} from './vad.ts';
import { addWeighted, normalise } from './vectors.ts';
import { embedPiece, type Voiceprint } from './voiceprint.ts';
import { VOICE_ID_SAMPLE_RATE } from './wav.ts';

const RATE = VOICE_ID_SAMPLE_RATE;
const { window: WINDOW, context: CONTEXT } = sileroFraming(RATE);

/**
 * Confirmed speech is embedded in pieces of 3.91 s: four whole partials of Resemblyzer's 1.6 s windows at its
 * 0.77 s step (3 x 0.77 + 1.6 s), so no partial of a piece is zero-padded or dropped. On the 100 files of
 * librispeech-test-other-10 the pooled voiceprint has cosine 0.991 at worst (median 0.998) to the batch one; pieces
 * of 2.37 s and 3.14 s gave 0.975 and 0.982 at worst, 4.68 s no better than 3.91 s. A longer piece also delays the
 * voiceprint more (it covers an authentication's 10 s with its third piece, once 11.7 s of speech are confirmed),
 * and the speech waiting for its piece is kept in the state: 62.6 KB at most.
 */
export const PIECE_SAMPLES = 31_280;

export interface SpeechStreamSummary {
  /** Audio taken in so far. */
  audioSeconds: number;
  /** Net speech embedded so far: the speech `voiceprint` stands for. */
  speechSeconds: number;
  /** Confirmed speech waiting for a whole piece to be embedded; finishSpeechStream embeds it. */
  pendingSpeechSeconds: number;
  /** No more audio can follow: finishSpeechStream ended the stream. */
  finished: boolean;
  /** Present once some speech is embedded. */
  voiceprint?: Voiceprint;
}

/** A new stream for a call whose speech will be embedded by the model `modelName`. */
export function newSpeechStream(modelName: string): Uint8Array {
  if (modelName.length === 0 || Buffer.byteLength(modelName) > 255) {
    throw new RangeError(`A speaker model name must have 1 to 255 bytes, not "${modelName}".`);
  }
  return encode({
    model: modelName,
    finished: false,
    received: 0,
    taken: 0,
    segmenter: { scored: 0 },
    silero: freshSileroCarry(RATE),
    audio: new Int16Array(0),
    pending: new Int16Array(0),
    embedded: 0,
    sum: new Float64Array(0),
  });
}

/**
 * The stream after the next chunk of the call (`readyAtSeconds`: the speech a decision needs, embedded as soon as
 * it is confirmed): `samples` at 8 kHz, mono, full scale ±1 (PCM-16 is kept exactly;
 * other values are rounded to it). `embedder` must be the model the stream was started with.
 */
export async function feedSpeechStream(
  state: Uint8Array,
  samples: Float32Array,
  embedder: SpeakerEmbedder,
  readyAtSeconds = Infinity,
): Promise<Uint8Array> {
  const stream = decode(state, embedder);
  if (stream.finished) throw new RangeError('The speech stream was finished; a finished stream takes no more audio.');
  const audioStart = stream.received - stream.audio.length;
  const audio = appendPcm(stream.audio, samples);
  stream.received += samples.length;

  const segmenter = new SpeechSegmenter(RATE, stream.segmenter);
  const scored = stream.segmenter.scored;
  // A partial window waits for the next chunk, so that chunking does not change what Silero hears.
  const whole = Math.floor((stream.received - scored) / WINDOW) * WINDOW;
  if (whole > 0) {
    const from = scored - audioStart;
    const probabilities = await scoreWindows(toFloat(audio.subarray(from, from + whole)), RATE, stream.silero);
    for (const probability of probabilities) segmenter.push(probability);
  }
  takeSpeech(stream, segmenter, audio, audioStart);
  // Once the speech a decision needs is confirmed, the rest is embedded at once instead of waiting for a whole
  // piece, so the decision is ready when its speech is (a shorter last piece costs a little precision).
  const ready = stream.embedded < readyAtSeconds * RATE && stream.embedded + stream.pending.length >= readyAtSeconds * RATE;
  await embedPieces(stream, embedder, ready);
  return encode(stream);
}

/**
 * The stream at the end of the call's audio: the last partial window is scored, a segment still being heard ends
 * there, as at the end of a recording, and all confirmed speech is embedded, the last piece however short. A
 * finished stream takes no more audio; finishing it again changes nothing.
 */
export async function finishSpeechStream(state: Uint8Array, embedder: SpeakerEmbedder): Promise<Uint8Array> {
  const stream = decode(state, embedder);
  if (stream.finished) return state;
  const audioStart = stream.received - stream.audio.length;
  const segmenter = new SpeechSegmenter(RATE, stream.segmenter);
  const rest = stream.audio.subarray(stream.segmenter.scored - audioStart);
  if (rest.length > 0) {
    for (const probability of await scoreWindows(toFloat(rest), RATE, stream.silero)) segmenter.push(probability);
  }
  segmenter.end(stream.received);
  takeSpeech(stream, segmenter, stream.audio, audioStart);
  await embedPieces(stream, embedder, true);
  stream.finished = true;
  stream.audio = new Int16Array(0);
  return encode(stream);
}

/**
 * What the stream has found so far, without running a model. `modelName`, when given, must be the stream's model:
 * a caller about to compare the voiceprint with enrolled ones can have a stream of another model refused here.
 */
export function readSpeechStream(state: Uint8Array, modelName?: string): SpeechStreamSummary {
  const stream = decode(state, modelName === undefined ? undefined : { name: modelName });
  const speechSeconds = stream.embedded / RATE;
  return {
    audioSeconds: stream.received / RATE,
    speechSeconds,
    pendingSpeechSeconds: stream.pending.length / RATE,
    finished: stream.finished,
    ...(stream.embedded > 0 && { voiceprint: { model: stream.model, vector: normalise(stream.sum), speechSeconds } }),
  };
}

/** A stream's memory, decoded. Positions count samples from the start of the call. */
interface StreamState {
  model: string;
  finished: boolean;
  /** Samples taken in. */
  received: number;
  /** Speech before this position has been moved to `pending` (or embedded); the rest of the audio there is silence. */
  taken: number;
  segmenter: SegmenterSnapshot;
  silero: SileroCarry;
  /** The undecided audio up to `received`, from the first sample that may still be speech or is not yet scored. */
  audio: Int16Array;
  /** Confirmed speech, less than a piece, waiting to be embedded. */
  pending: Int16Array;
  /** Samples of speech embedded. */
  embedded: number;
  /** Sum of the piece embeddings, each weighted by its seconds; empty until the first piece. */
  sum: Float64Array;
}

/** Moves the speech the segmenter is sure of into `pending` and forgets the audio that is decided. */
function takeSpeech(stream: StreamState, segmenter: SpeechSegmenter, audio: Int16Array, audioStart: number): void {
  const speech: Int16Array[] = [stream.pending];
  for (const range of [...segmenter.takeEnded(), segmenter.confirmed()]) {
    if (!range) continue;
    const from = Math.max(range.start, stream.taken);
    if (range.end <= from) continue;
    speech.push(audio.subarray(from - audioStart, range.end - audioStart));
    stream.taken = range.end;
  }
  stream.pending = concatenatePcm(speech);
  stream.audio = audio.slice(segmenter.undecidedFrom() - audioStart);
  stream.segmenter = segmenter.snapshot();
}

/** Embeds every whole piece of pending speech, and with `all` the rest too. */
async function embedPieces(stream: StreamState, embedder: SpeakerEmbedder, all: boolean): Promise<void> {
  let offset = 0;
  while (stream.pending.length - offset >= (all ? 1 : PIECE_SAMPLES)) {
    const piece = stream.pending.subarray(offset, offset + PIECE_SAMPLES);
    const embedding = await embedPiece(toFloat(piece), embedder);
    if (stream.sum.length === 0) stream.sum = new Float64Array(embedder.dimension);
    addWeighted(stream.sum, embedding, piece.length / RATE);
    stream.embedded += piece.length;
    offset += piece.length;
  }
  stream.pending = stream.pending.slice(offset);
}

/** The samples appended to `pcm` as PCM-16, the form the audio arrived in, so keeping it loses nothing. */
function appendPcm(pcm: Int16Array, samples: Float32Array): Int16Array {
  const result = new Int16Array(pcm.length + samples.length);
  result.set(pcm);
  for (let i = 0; i < samples.length; i++) {
    // NaN becomes 0 on the way into the Int16Array.
    result[pcm.length + i] = Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32768)));
  }
  return result;
}

/** PCM-16 scaled as wav.ts decodes it, so the stream hears exactly what a batch decode of the same audio gives. */
function toFloat(pcm: Int16Array): Float32Array {
  const result = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) result[i] = pcm[i] / 32768;
  return result;
}

function concatenatePcm(parts: Int16Array[]): Int16Array {
  if (parts.length === 1) return parts[0];
  const result = new Int16Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

/*
 * The state's bytes, little-endian:
 *   0  "SPST"            tells a stream state from other bytes
 *   4  u8 version        FORMAT_VERSION; any other is refused, so a format change cannot be misread
 *   5  u8 flags          bit 0: finished
 *   6  u16 reserved      0
 *   8  u32 CRC-32        of every byte from 12 on: a damaged state is refused, not decoded into nonsense
 *  12  u8 n, n bytes     the speaker model's name, UTF-8
 *      f64 x 6           received, taken, scored, segment start, silence start (NaN: none), embedded
 *      u16 d, f64 x d    the weighted sum of piece embeddings
 *      f32 x 256         Silero's recurrent state;  f32 x 32  its context
 *      u32 n, i16 x n    undecided audio;  u32 n, i16 x n  pending speech
 * Positions are doubles so that no call is too long for them; PCM-16 halves the audio against Float32.
 */
const MAGIC = 'SPST';
const FORMAT_VERSION = 1;
const HEADER_BYTES = 12;
const FINISHED = 1;

function encode(stream: StreamState): Uint8Array {
  const model = Buffer.from(stream.model);
  const size =
    HEADER_BYTES +
    1 +
    model.length +
    6 * 8 +
    2 +
    8 * stream.sum.length +
    4 * (SILERO_STATE_SIZE + CONTEXT) +
    4 +
    2 * stream.audio.length +
    4 +
    2 * stream.pending.length;
  const bytes = new Uint8Array(size);
  const out = new Writer(bytes);
  for (const char of MAGIC) out.u8(char.charCodeAt(0));
  out.u8(FORMAT_VERSION);
  out.u8(stream.finished ? FINISHED : 0);
  out.u16(0);
  out.u32(0); // the checksum, written last
  out.u8(model.length);
  out.bytes(model);
  const { scored, start, silenceStart } = stream.segmenter;
  for (const value of [stream.received, stream.taken, scored, start ?? NaN, silenceStart ?? NaN, stream.embedded]) {
    out.f64(value);
  }
  out.u16(stream.sum.length);
  for (const value of stream.sum) out.f64(value);
  for (const value of stream.silero.state) out.f32(value);
  for (const value of stream.silero.context) out.f32(value);
  for (const pcm of [stream.audio, stream.pending]) {
    out.u32(pcm.length);
    out.pcm(pcm);
  }
  new DataView(bytes.buffer).setUint32(8, crc32(bytes.subarray(HEADER_BYTES)), true);
  return bytes;
}

/** Decodes a state, refusing it with a SpeechStreamStateError unless it is whole, of this format and of `model`. */
function decode(bytes: Uint8Array, model?: { name: string; dimension?: number }): StreamState {
  const corrupt = (what: string) =>
    new SpeechStreamStateError('CORRUPT', `The speech stream state is damaged (${what}); the session's speech must be collected again.`);
  if (bytes.byteLength < HEADER_BYTES || String.fromCharCode(...bytes.subarray(0, 4)) !== MAGIC) {
    throw corrupt('it is not a speech stream state');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(4);
  if (version !== FORMAT_VERSION) {
    throw new SpeechStreamStateError(
      'VERSION',
      `The speech stream state has format version ${version}; this service reads version ${FORMAT_VERSION} only.`,
    );
  }
  if (view.getUint32(8, true) !== crc32(bytes.subarray(HEADER_BYTES))) throw corrupt('its checksum does not match');

  const input = new Reader(view, HEADER_BYTES, corrupt);
  const stream: StreamState = {
    finished: (view.getUint8(5) & FINISHED) !== 0,
    model: Buffer.from(input.bytes(input.u8())).toString(),
    received: input.f64(),
    taken: input.f64(),
    segmenter: { scored: input.f64(), start: orUndefined(input.f64()), silenceStart: orUndefined(input.f64()) },
    embedded: input.f64(),
    sum: Float64Array.from({ length: input.u16() }, () => input.f64()),
    silero: {
      state: Float32Array.from({ length: SILERO_STATE_SIZE }, () => input.f32()),
      context: Float32Array.from({ length: CONTEXT }, () => input.f32()),
    },
    audio: input.pcm(),
    pending: input.pcm(),
  };
  if (!input.atEnd()) throw corrupt('it has bytes past its end');
  if (!consistent(stream)) throw corrupt('its positions contradict each other');
  const dimensionDiffers = stream.sum.length !== 0 && model?.dimension !== undefined && stream.sum.length !== model.dimension;
  if (model && (model.name !== stream.model || dimensionDiffers)) {
    throw new SpeechStreamStateError(
      'MODEL',
      `The speech stream was started with the speaker model ${stream.model}, not ${model.name}: ` +
        'embeddings of different models cannot be pooled. Start a new stream.',
    );
  }
  return stream;
}

/** What a checksum cannot catch: a state written wrongly, by a bug, rather than damaged afterwards. */
function consistent({ received, taken, segmenter: { scored }, embedded, audio, finished }: StreamState): boolean {
  // Finishing scores the last partial window zero-padded, past the audio received.
  const scoredAhead = finished ? WINDOW - 1 : 0;
  return (
    [received, taken, scored, embedded].every((value) => Number.isSafeInteger(value) && value >= 0) &&
    taken <= received &&
    scored <= received + scoredAhead &&
    audio.length <= received &&
    received - audio.length <= scored // the audio not yet scored is kept
  );
}

/** Audio is copied to and from the state as it lies in memory where that is the state's own byte order. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

const orUndefined = (value: number) => (Number.isNaN(value) ? undefined : value);

class Writer {
  private readonly view: DataView;
  private offset = 0;

  constructor(private readonly target: Uint8Array) {
    this.view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  }

  u8(value: number): void {
    this.view.setUint8(this.offset, value);
    this.offset += 1;
  }

  u16(value: number): void {
    this.view.setUint16(this.offset, value, true);
    this.offset += 2;
  }

  u32(value: number): void {
    this.view.setUint32(this.offset, value, true);
    this.offset += 4;
  }

  pcm(samples: Int16Array): void {
    if (LITTLE_ENDIAN) this.target.set(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength), this.offset);
    else samples.forEach((sample, i) => this.view.setInt16(this.offset + 2 * i, sample, true));
    this.offset += samples.byteLength;
  }

  f32(value: number): void {
    this.view.setFloat32(this.offset, value, true);
    this.offset += 4;
  }

  f64(value: number): void {
    this.view.setFloat64(this.offset, value, true);
    this.offset += 8;
  }

  bytes(value: Uint8Array): void {
    this.target.set(value, this.offset);
    this.offset += value.length;
  }
}

class Reader {
  constructor(
    private readonly view: DataView,
    private offset: number,
    private readonly corrupt: (what: string) => Error,
  ) {}

  u8(): number {
    return this.view.getUint8(this.take(1));
  }

  u16(): number {
    return this.view.getUint16(this.take(2), true);
  }

  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  f32(): number {
    return this.view.getFloat32(this.take(4), true);
  }

  f64(): number {
    return this.view.getFloat64(this.take(8), true);
  }

  bytes(length: number): Uint8Array {
    const at = this.take(length);
    return new Uint8Array(this.view.buffer, this.view.byteOffset + at, length);
  }

  pcm(): Int16Array {
    const length = this.u32();
    const at = this.take(2 * length);
    // A copy, which also aligns the samples wherever the state sits in its buffer.
    const start = this.view.byteOffset + at;
    if (LITTLE_ENDIAN) return new Int16Array(this.view.buffer.slice(start, start + 2 * length));
    return Int16Array.from({ length }, (_, i) => this.view.getInt16(at + 2 * i, true));
  }

  atEnd(): boolean {
    return this.offset === this.view.byteLength;
  }

  /** The offset of the next `length` bytes, which must be there. */
  private take(length: number): number {
    if (this.offset + length > this.view.byteLength) throw this.corrupt('it is cut short');
    const at = this.offset;
    this.offset += length;
    return at;
  }
}
