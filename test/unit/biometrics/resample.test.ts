import { resample } from '#biometrics/resample';

function tone(frequencies: number[], sampleRate: number, seconds: number, amplitude = 0.4): Float32Array {
  const samples = new Float32Array(Math.round(sampleRate * seconds));
  for (let i = 0; i < samples.length; i++) {
    for (const frequency of frequencies) samples[i] += amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate);
  }
  return samples;
}

/** |X(f)|² of one DFT bin, by Goertzel's recurrence. */
function power(samples: Float32Array, frequency: number, sampleRate: number): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let previous = 0;
  let beforePrevious = 0;
  for (const sample of samples) {
    const current = sample + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
  }
  return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
}

/**
 * Share of the energy in the DFT bins strictly between `from` Hz and Nyquist, `binHz` apart. A Hann window keeps
 * the strong band just below `from` from leaking into the bins above it and passing for images.
 */
function shareAbove(from: number, samples: Float32Array, sampleRate: number, binHz: number): number {
  const windowed = samples.map((sample, i) => sample * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / samples.length)));
  let band = 0;
  let total = 0;
  for (let f = 0; f < sampleRate / 2; f += binHz) {
    const p = power(windowed, f, sampleRate);
    total += p;
    if (f > from) band += p;
  }
  return band / total;
}

function peakFrequency(samples: Float32Array, sampleRate: number, stepHz: number): number {
  let peak = 0;
  let peakPower = -1;
  for (let f = 0; f <= sampleRate / 2; f += stepHz) {
    const p = power(samples, f, sampleRate);
    if (p > peakPower) [peak, peakPower] = [f, p];
  }
  return peak;
}

function rms(samples: Float32Array): number {
  return Math.sqrt(samples.reduce((sum, sample) => sum + sample * sample, 0) / samples.length);
}

/** The middle of a signal, away from the filter's start-up and run-out at the edges; 0.5 s = a whole number of 2 Hz bins. */
function middle(samples: Float32Array, sampleRate: number): Float32Array {
  return samples.subarray(sampleRate / 4, sampleRate / 4 + sampleRate / 2);
}

describe('resample', () => {
  it('doubles 8 kHz to 16 kHz keeping a 1 kHz tone at 1 kHz, at the same level, with no image above 4 kHz', () => {
    const input = tone([1000], 8000, 1);
    const output = resample(input, 8000, 16000);
    expect(output).toHaveLength(16000);
    const steady = middle(output, 16000);
    expect(peakFrequency(steady, 16000, 10)).toBe(1000);
    expect(rms(steady)).toBeCloseTo(0.4 / Math.SQRT2, 3);
    // The image of a 1 kHz tone upsampled by two sits at 7 kHz.
    expect(power(steady, 7000, 16000) / power(steady, 1000, 16000)).toBeLessThan(1e-8);
    expect(shareAbove(4000, steady, 16000, 2)).toBeLessThan(1e-8);
  });

  it('leaves no image of broadband telephone audio above 4 kHz', () => {
    let seed = 1;
    const noise = new Float32Array(8000).map(() => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5);
    const steady = middle(resample(noise, 8000, 16000), 16000);
    expect(shareAbove(4000, steady, 16000, 2)).toBeLessThan(1e-8);
  });

  it('keeps the samples of the input at the even output positions, delayed by nothing', () => {
    const input = tone([300, 1700, 2900], 8000, 1, 0.25);
    const output = resample(input, 8000, 16000);
    for (let i = 1000; i < 7000; i += 97) expect(output[2 * i]).toBeCloseTo(input[i], 3);
  });

  it('halves 16 kHz to 8 kHz keeping 1 kHz and removing 6 kHz instead of folding it onto 2 kHz', () => {
    const input = tone([1000, 6000], 16000, 1);
    const output = resample(input, 16000, 8000);
    expect(output).toHaveLength(8000);
    const steady = middle(output, 8000);
    expect(peakFrequency(steady, 8000, 10)).toBe(1000);
    expect(rms(steady)).toBeCloseTo(0.4 / Math.SQRT2, 3);
    expect(power(steady, 2000, 8000) / power(steady, 1000, 8000)).toBeLessThan(1e-8);
  });

  it('converts between rates of any rational ratio', () => {
    const output = resample(tone([1000], 8000, 1), 8000, 22050);
    expect(output).toHaveLength(22050);
    expect(peakFrequency(output.subarray(5512, 5512 + 11025), 22050, 10)).toBe(1000);
  });

  it('returns the input untouched at the same rate, and the output length rounds up', () => {
    const input = tone([1000], 8000, 0.01);
    expect(resample(input, 8000, 8000)).toBe(input);
    expect(resample(new Float32Array(5), 16000, 8000)).toHaveLength(3);
    expect(resample(new Float32Array(0), 8000, 16000)).toHaveLength(0);
  });

  it('refuses rates that are not positive integers or whose ratio needs an unreasonable filter', () => {
    expect(() => resample(new Float32Array(1), 0, 16000)).toThrow(RangeError);
    expect(() => resample(new Float32Array(1), 8000, 11025.5)).toThrow(/positive integer/);
    expect(() => resample(new Float32Array(1), 44100, 16001)).toThrow(/simpler ratio/);
  });
});
