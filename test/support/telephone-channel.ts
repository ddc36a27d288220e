/**
 * A telephone line for tests: the 300-3400 Hz band of a handset and G.711 mu-law companding, applied to 8 kHz
 * audio. It moves every voice closer to every other, as real lines do (model/telephone_channel.py is the same
 * channel in Python, used to build the shipped calibration's telephone half).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { decodeWav, encodeWav, VOICE_ID_SAMPLE_RATE } from '#biometrics/wav';

/** A second-order section of the audio EQ cookbook (R. Bristow-Johnson), run in place. */
function biquad(samples: Float32Array, kind: 'highpass' | 'lowpass', frequency: number): void {
  const w = (2 * Math.PI * frequency) / VOICE_ID_SAMPLE_RATE;
  const alpha = Math.sin(w) / Math.SQRT2;
  const cos = Math.cos(w);
  const b1 = kind === 'lowpass' ? 1 - cos : -(1 + cos);
  const b0 = kind === 'lowpass' ? (1 - cos) / 2 : (1 + cos) / 2;
  const [a0, a1, a2] = [1 + alpha, -2 * cos, 1 - alpha];
  let [x1, x2, y1, y2] = [0, 0, 0, 0];
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i];
    const y = (b0 * x + b1 * x1 + b0 * x2 - a1 * y1 - a2 * y2) / a0;
    [x2, x1, y2, y1] = [x1, x, y1, y];
    samples[i] = y;
  }
}

/** mu-law at 8 bits: the companding of G.711 lines, quantisation noise included. */
function muLaw(x: number): number {
  const mu = 255;
  const clipped = Math.max(-1, Math.min(1, x));
  const coded = Math.round(((Math.sign(clipped) * Math.log1p(mu * Math.abs(clipped))) / Math.log1p(mu)) * 127) / 127;
  return (Math.sign(coded) * ((1 + mu) ** Math.abs(coded) - 1)) / mu;
}

export function telephoneChannel(samples: Float32Array): Float32Array {
  const line = Float32Array.from(samples);
  for (let pass = 0; pass < 2; pass++) {
    biquad(line, 'highpass', 300);
    biquad(line, 'lowpass', 3400);
  }
  return line.map(muLaw);
}

/** Copies a folder of speaker sub-folders of WAV files through the telephone channel. */
export function telephoneCopy(from: string, to: string): void {
  for (const speaker of readdirSync(from, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    mkdirSync(path.join(to, speaker.name), { recursive: true });
    for (const file of readdirSync(path.join(from, speaker.name)).filter((name) => name.endsWith('.wav'))) {
      const { samples } = decodeWav(readFileSync(path.join(from, speaker.name, file)));
      writeFileSync(path.join(to, speaker.name, file), encodeWav([telephoneChannel(samples)]));
    }
  }
}
