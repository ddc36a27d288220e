import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fbank, KALDI_FBANK_80, subtractMean } from '#biometrics/fbank';

/** Written by model/custom_model_fixtures.py with kaldi-native-fbank 1.23.0. */
const golden = JSON.parse(readFileSync(path.join(__dirname, '../../../model/fixtures/fbank-golden.json'), 'utf8')) as {
  pcm16: number[];
  fbank: Record<'povey' | 'hamming', number[][]>;
};
const samples = Float32Array.from(golden.pcm16, (value) => value / 32768);

describe('fbank', () => {
  it.each(['povey', 'hamming'] as const)("matches kaldi-native-fbank's 80 bins with the %s window", (window) => {
    const expected = golden.fbank[window];
    const { frames, bins, data } = fbank(samples, { ...KALDI_FBANK_80, window });
    expect([frames, bins]).toEqual([expected.length, 80]);
    let worst = 0;
    expected.forEach((row, f) => row.forEach((value, b) => (worst = Math.max(worst, Math.abs(data[f * bins + b] - value)))));
    // kaldi-native-fbank works in float32 and the fixture keeps 5 decimals; a wrong window, frame or mel edge is
    // off by far more.
    expect(worst).toBeLessThan(2e-4);
  });

  it('frames like snip_edges: none below 25 ms, then one more every 10 ms', () => {
    expect(fbank(new Float32Array(399)).frames).toBe(0);
    expect(fbank(new Float32Array(400)).frames).toBe(1);
    expect(fbank(new Float32Array(559)).frames).toBe(1);
    expect(fbank(new Float32Array(560)).frames).toBe(2);
  });

  it('floors the energy of digital silence at the float epsilon before the log', () => {
    const { data } = fbank(new Float32Array(400));
    expect(data.every((value) => value === Math.fround(Math.log(1.1920928955078125e-7)))).toBe(true);
  });

  it('subtracts each bin’s mean over the frames', () => {
    const features = fbank(samples);
    subtractMean(features);
    for (let b = 0; b < features.bins; b++) {
      let sum = 0;
      for (let f = 0; f < features.frames; f++) sum += features.data[f * features.bins + b];
      expect(Math.abs(sum / features.frames)).toBeLessThan(1e-5);
    }
  });

  it('refuses a frequency range beyond the Nyquist frequency', () => {
    expect(() => fbank(samples, { ...KALDI_FBANK_80, highFreq: 9000 })).toThrow('does not fit within 0-8000 Hz');
  });
});
