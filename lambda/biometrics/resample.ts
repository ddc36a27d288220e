/**
 * Rational sample-rate conversion by L/M polyphase filtering with a Kaiser-windowed sinc low-pass.
 * The speaker model takes 16 kHz while Voice ID audio is 8 kHz telephone speech, and spectral images of the
 * telephone band above 4 kHz would read to the model as speech it has never heard, so the low-pass stops
 * entirely below the lower Nyquist frequency instead of centring its transition on it.
 */

/** Images and aliases end up at least this far below the signal, under the noise floor of any telephone recording. */
const STOPBAND_ATTENUATION_DB = 80;

/**
 * Where the passband ends, as a fraction of the lower Nyquist frequency: 3.6 kHz for 8 kHz audio, above the
 * 3.4 kHz telephone band.
 */
const PASSBAND_EDGE = 0.9;

/** Rates whose ratio reduces to huge L/M (e.g. 44100 -> 16001) would need a filter too long to be worth building. */
const MAX_FILTER_TAPS = 1 << 20;

interface PolyphaseFilter {
  up: number;
  down: number;
  /** The filter's group delay on the upsampled grid, skipped so the output lines up with the input in time. */
  delay: number;
  tapsPerPhase: number;
  /** Phase p holds taps p, p + up, p + 2 * up, ... of the prototype, from index p * tapsPerPhase on. */
  taps: Float32Array;
}

const filters = new Map<string, PolyphaseFilter>();

/**
 * Converts `samples` from `fromRate` to `toRate` (both positive integers, in Hz). The output has
 * ceil(length * toRate / fromRate) samples and starts at the same instant as the input.
 * Returns the input itself when the rates are equal.
 */
export function resample(samples: Float32Array, fromRate: number, toRate: number): Float32Array {
  for (const rate of [fromRate, toRate]) {
    if (!Number.isSafeInteger(rate) || rate <= 0) {
      throw new RangeError(`A sample rate must be a positive integer, not ${rate}.`);
    }
  }
  if (fromRate === toRate) return samples;
  const { up, down, delay, tapsPerPhase, taps } = polyphaseFilter(fromRate, toRate);
  const output = new Float32Array(Math.ceil((samples.length * up) / down));
  for (let k = 0; k < output.length; k++) {
    // Position on the upsampled grid; only every up-th point of it holds an input sample, the rest are zeros,
    // so one phase's taps meet exactly the input samples and the zeros are never multiplied.
    const position = k * down + delay;
    const phase = position % up;
    const newest = (position - phase) / up;
    const first = Math.max(0, newest - samples.length + 1);
    const last = Math.min(tapsPerPhase - 1, newest);
    const base = phase * tapsPerPhase;
    let sum = 0;
    for (let t = first; t <= last; t++) sum += taps[base + t] * samples[newest - t];
    output[k] = sum;
  }
  return output;
}

function polyphaseFilter(fromRate: number, toRate: number): PolyphaseFilter {
  const key = `${fromRate}:${toRate}`;
  let filter = filters.get(key);
  if (!filter) {
    filter = designFilter(fromRate, toRate);
    filters.set(key, filter);
  }
  return filter;
}

function designFilter(fromRate: number, toRate: number): PolyphaseFilter {
  const divisor = gcd(fromRate, toRate);
  const up = toRate / divisor;
  const down = fromRate / divisor;
  const gridRate = fromRate * up;
  const stopbandEdge = Math.min(fromRate, toRate) / 2;
  const passbandEdge = PASSBAND_EDGE * stopbandEdge;

  // Kaiser's design formulas: the attenuation sets the window's shape, the transition width its length.
  const transition = (2 * Math.PI * (stopbandEdge - passbandEdge)) / gridRate;
  const beta = 0.1102 * (STOPBAND_ATTENUATION_DB - 8.7);
  let length = Math.ceil((STOPBAND_ATTENUATION_DB - 8) / (2.285 * transition)) + 1;
  if (length % 2 === 0) length++; // an odd length puts the centre, and so the delay, on a whole sample
  if (length > MAX_FILTER_TAPS) {
    throw new RangeError(`Resampling from ${fromRate} Hz to ${toRate} Hz needs a ${length}-tap filter; pick rates with a simpler ratio.`);
  }

  const delay = (length - 1) / 2;
  const cutoff = (passbandEdge + stopbandEdge) / 2 / gridRate;
  const tapsPerPhase = Math.ceil(length / up);
  const taps = new Float32Array(up * tapsPerPhase);
  const windowNorm = besselI0(beta);
  for (let n = 0; n < length; n++) {
    const x = n - delay;
    const window = besselI0(beta * Math.sqrt(1 - (x / delay) ** 2)) / windowNorm;
    // Gain `up` restores the level lost to the zeros that upsampling inserts between input samples.
    taps[(n % up) * tapsPerPhase + Math.floor(n / up)] = up * 2 * cutoff * sinc(2 * cutoff * x) * window;
  }
  return { up, down, delay, tapsPerPhase, taps };
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/** Modified Bessel function of the first kind, order 0, by its power series (converges fast for Kaiser's beta). */
function besselI0(x: number): number {
  const quarterSquare = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; term > sum * 1e-16; k++) {
    term *= quarterSquare / (k * k);
    sum += term;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
