/**
 * Kaldi's log mel filterbank ("fbank"), the input of the speaker models that WeSpeaker, 3D-Speaker and sherpa-onnx
 * publish: they were trained on these exact features (torchaudio.compliance.kaldi.fbank, or kaldi-native-fbank in
 * sherpa-onnx), so any drift in framing, window or mel scale shifts every embedding. The arithmetic follows
 * kaldi-native-fbank step by step; test/unit/biometrics/fbank.test.ts checks it against that package's output.
 *
 * Only what those models use is here: snip_edges framing, no dither (inference is deterministic), no energy
 * coefficient.
 */

export type FbankWindow = 'povey' | 'hamming' | 'hanning' | 'rectangular';

export interface FbankOptions {
  sampleRate: number;
  melBins: number;
  frameLengthMs: number;
  frameShiftMs: number;
  window: FbankWindow;
  preemphasis: number;
  removeDcOffset: boolean;
  /** Hz; the lowest mel filter starts here. */
  lowFreq: number;
  /** Hz; 0 or less counts down from the Nyquist frequency, as in Kaldi. */
  highFreq: number;
}

/** Kaldi's defaults with 80 bins at 16 kHz, what WeSpeaker and 3D-Speaker train on (WeSpeaker with a Hamming window). */
export const KALDI_FBANK_80: FbankOptions = {
  sampleRate: 16000,
  melBins: 80,
  frameLengthMs: 25,
  frameShiftMs: 10,
  window: 'povey',
  preemphasis: 0.97,
  removeDcOffset: true,
  lowFreq: 20,
  highFreq: 0,
};

/** Kaldi floors energies at the float epsilon before the log. */
const LOG_FLOOR = 1.1920928955078125e-7;

export interface Features {
  frames: number;
  bins: number;
  /** Row-major [frames, bins]. */
  data: Float32Array;
}

/** The log mel energies of `samples` (at options.sampleRate, in the scale the model was trained on). */
export function fbank(samples: Float32Array, options: FbankOptions = KALDI_FBANK_80): Features {
  const plan = planFor(options);
  const { frameLength, frameShift, fftSize, window, banks } = plan;
  const frames = samples.length < frameLength ? 0 : 1 + Math.floor((samples.length - frameLength) / frameShift);
  const data = new Float32Array(frames * options.melBins);
  const re = new Float64Array(fftSize);
  const im = new Float64Array(fftSize);
  const power = new Float64Array(fftSize / 2 + 1);
  for (let f = 0; f < frames; f++) {
    const start = f * frameShift;
    let mean = 0;
    if (options.removeDcOffset) {
      for (let i = 0; i < frameLength; i++) mean += samples[start + i];
      mean /= frameLength;
    }
    for (let i = 0; i < frameLength; i++) re[i] = samples[start + i] - mean;
    // Kaldi pre-emphasises in place from the end, and the first sample against itself.
    for (let i = frameLength - 1; i > 0; i--) re[i] -= options.preemphasis * re[i - 1];
    re[0] -= options.preemphasis * re[0];
    for (let i = 0; i < frameLength; i++) re[i] *= window[i];
    re.fill(0, frameLength);
    im.fill(0);
    fft(re, im, plan);
    for (let k = 0; k < power.length; k++) power[k] = re[k] * re[k] + im[k] * im[k];
    for (let b = 0; b < banks.length; b++) {
      const { offset, weights } = banks[b];
      let energy = 0;
      for (let i = 0; i < weights.length; i++) energy += weights[i] * power[offset + i];
      data[f * options.melBins + b] = Math.log(Math.max(energy, LOG_FLOOR));
    }
  }
  return { frames, bins: options.melBins, data };
}

/** Subtracts each bin's mean over all frames (cepstral mean normalisation, as WeSpeaker and 3D-Speaker do). */
export function subtractMean({ frames, bins, data }: Features): void {
  if (frames === 0) return;
  for (let b = 0; b < bins; b++) {
    let sum = 0;
    for (let f = 0; f < frames; f++) sum += data[f * bins + b];
    const mean = sum / frames;
    for (let f = 0; f < frames; f++) data[f * bins + b] -= mean;
  }
}

interface Plan {
  frameLength: number;
  frameShift: number;
  fftSize: number;
  window: Float64Array;
  banks: { offset: number; weights: Float64Array }[];
  cos: Float64Array;
  sin: Float64Array;
  reversed: Uint32Array;
}

const plans = new Map<string, Plan>();

function planFor(options: FbankOptions): Plan {
  const key = JSON.stringify(options);
  let plan = plans.get(key);
  if (!plan) {
    plan = makePlan(options);
    plans.set(key, plan);
  }
  return plan;
}

function makePlan(options: FbankOptions): Plan {
  const frameLength = Math.round((options.sampleRate * options.frameLengthMs) / 1000);
  const frameShift = Math.round((options.sampleRate * options.frameShiftMs) / 1000);
  if (frameLength < 2 || frameShift < 1) throw new RangeError(`An fbank frame of ${frameLength} samples every ${frameShift} is too short.`);
  const fftSize = 2 ** Math.ceil(Math.log2(frameLength));
  const half = fftSize / 2;
  const bits = Math.log2(fftSize);
  const reversed = Uint32Array.from({ length: fftSize }, (_, i) => {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    return r;
  });
  return {
    frameLength,
    frameShift,
    fftSize,
    window: windowFunction(options.window, frameLength),
    banks: melBanks(options, fftSize),
    cos: Float64Array.from({ length: half }, (_, k) => Math.cos((-2 * Math.PI * k) / fftSize)),
    sin: Float64Array.from({ length: half }, (_, k) => Math.sin((-2 * Math.PI * k) / fftSize)),
    reversed,
  };
}

function windowFunction(type: FbankWindow, length: number): Float64Array {
  const a = (2 * Math.PI) / (length - 1);
  const shapes: Record<FbankWindow, (i: number) => number> = {
    povey: (i) => Math.pow(0.5 - 0.5 * Math.cos(a * i), 0.85),
    hamming: (i) => 0.54 - 0.46 * Math.cos(a * i),
    hanning: (i) => 0.5 - 0.5 * Math.cos(a * i),
    rectangular: () => 1,
  };
  return Float64Array.from({ length }, (_, i) => shapes[type](i));
}

const melScale = (hz: number) => 1127 * Math.log(1 + hz / 700);

/** Kaldi's triangles, equally spaced on its mel scale; like Kaldi, they never reach the Nyquist bin. */
function melBanks({ sampleRate, melBins, lowFreq, highFreq }: FbankOptions, fftSize: number): Plan['banks'] {
  const nyquist = sampleRate / 2;
  const high = highFreq > 0 ? highFreq : nyquist + highFreq;
  if (!(lowFreq >= 0 && lowFreq < high && high <= nyquist)) {
    throw new RangeError(`The fbank's frequency range ${lowFreq}-${high} Hz does not fit within 0-${nyquist} Hz.`);
  }
  const melLow = melScale(lowFreq);
  const delta = (melScale(high) - melLow) / (melBins + 1);
  const binWidth = sampleRate / fftSize;
  return Array.from({ length: melBins }, (_, b) => {
    const left = melLow + b * delta;
    const centre = left + delta;
    const right = centre + delta;
    const weights: number[] = [];
    let offset = -1;
    for (let i = 0; i < fftSize / 2; i++) {
      const mel = melScale(binWidth * i);
      if (mel <= left || mel >= right) continue;
      if (offset < 0) offset = i;
      weights[i - offset] = mel <= centre ? (mel - left) / (centre - left) : (right - mel) / (right - centre);
    }
    return { offset: Math.max(offset, 0), weights: Float64Array.from(weights, (w) => w ?? 0) };
  });
}

/** In-place radix-2 FFT of (re, im), whose length is the plan's fftSize. */
function fft(re: Float64Array, im: Float64Array, { fftSize, cos, sin, reversed }: Plan): void {
  for (let i = 0; i < fftSize; i++) {
    const j = reversed[i];
    if (j > i) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let size = 2; size <= fftSize; size *= 2) {
    const halfSize = size / 2;
    const step = fftSize / size;
    for (let start = 0; start < fftSize; start += size) {
      for (let k = 0; k < halfSize; k++) {
        const wr = cos[k * step];
        const wi = sin[k * step];
        const a = start + k;
        const b = a + halfSize;
        const tr = re[b] * wr - im[b] * wi;
        const ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}
