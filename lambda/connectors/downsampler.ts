import { resample } from '#biometrics/resample';

/**
 * Brings a stream sampled at a multiple of 8 kHz (wideband L16 at 16 kHz, 48 kHz from a softphone) down to the
 * 8 kHz the sessions take, frame by frame, with the service's own band-limited resampler. Each block is resampled
 * with `CONTEXT` input samples of the audio around it, and only the output that has its filter's whole context is
 * kept, so frame boundaries leave no mark; the last `CONTEXT` samples wait for the next frame (or `flush`).
 */
export class Downsampler {
  private pending = new Float32Array(0);
  private emitted = false;
  private readonly context: number;

  constructor(private readonly rate: number) {
    if (!Number.isInteger(rate / 8000) || rate < 8000) throw new RangeError(`The sample rate must be a multiple of 8000 Hz, not ${rate}.`);
    this.context = CONTEXT_OUTPUT_SAMPLES * (rate / 8000);
  }

  /** The 8 kHz samples (16-bit) that the frame completes. */
  feed(frame: Int16Array): Int16Array {
    if (this.rate === 8000) return frame;
    const joined = new Float32Array(this.pending.length + frame.length);
    joined.set(this.pending);
    for (let i = 0; i < frame.length; i++) joined[this.pending.length + i] = frame[i] / 32768;
    const factor = this.rate / 8000;
    // Whole output samples only: the input kept back is a multiple of the factor.
    const usable = joined.length - this.context - ((joined.length - this.context) % factor);
    if (usable <= this.context) {
      this.pending = joined;
      return new Int16Array(0);
    }
    const lead = this.emitted ? this.context : 0;
    const out = resample(joined.subarray(0, usable + this.context), this.rate, 8000);
    const kept = out.subarray(lead / factor, usable / factor);
    this.pending = joined.slice(usable - this.context);
    this.emitted = true;
    return toInt16(kept);
  }

  /** What the stream's end leaves: the samples held back for context. */
  flush(): Int16Array {
    if (this.rate === 8000 || this.pending.length === 0) return new Int16Array(0);
    const factor = this.rate / 8000;
    const lead = this.emitted ? this.context : 0;
    const out = resample(this.pending, this.rate, 8000);
    this.pending = new Float32Array(0);
    return toInt16(out.subarray(lead / factor));
  }
}

/** Filter context on each side of a block, in 8 kHz samples (the resampler's filter is shorter than this). */
const CONTEXT_OUTPUT_SAMPLES = 64;

function toInt16(samples: Float32Array): Int16Array {
  return Int16Array.from(samples, (s) => Math.max(-32768, Math.min(32767, Math.round(s * 32768))));
}
