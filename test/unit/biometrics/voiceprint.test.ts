/**
 * @jest-environment ./test/unit/biometrics/onnx-environment.ts
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SpeakerEmbedder } from '#biometrics/speaker-model';
import { detectSpeech } from '#biometrics/vad';
import { embedSpeech, voiceprint } from '#biometrics/voiceprint';
import { decodeWav } from '#biometrics/wav';

const LIBRISPEECH = path.join(__dirname, '../../../..', 'shared/data/librispeech-test-other-10');
const read = (file: string) => decodeWav(readFileSync(path.join(LIBRISPEECH, file))).samples;

/** 15 s and 12.6 s of read speech by one speaker, about 9.8 s of net speech in the first. */
const first = read('spk1688/1688-142285-0000.wav');
const second = read('spk1688/1688-142285-0001.wav');

/** Records what it is given; its embedding is one-hot on the call number, so averaging can be checked. */
function fakeEmbedder(): SpeakerEmbedder & { inputs: Float32Array[] } {
  const inputs: Float32Array[] = [];
  return {
    name: 'fake',
    sampleRate: 16000,
    dimension: 4,
    inputs,
    embed(samples) {
      inputs.push(samples);
      const embedding = new Float32Array(4);
      embedding[(inputs.length - 1) % 4] = 1;
      return Promise.resolve(embedding);
    },
  };
}

function withSilence(samples: Float32Array, seconds: number): Float32Array {
  const result = new Float32Array(samples.length + 2 * seconds * 8000);
  result.set(samples, seconds * 8000);
  return result;
}

describe('voiceprint', () => {
  it('reports NOT_ENOUGH_SPEECH with the net speech found and the speech needed', async () => {
    const embedder = fakeEmbedder();
    const result = await voiceprint([first], 30, embedder);
    const { speechSeconds } = await detectSpeech(first, 8000);
    expect(result).toEqual({
      status: 'NOT_ENOUGH_SPEECH',
      speechSeconds: expect.any(Number) as number,
      requiredSeconds: 30,
    });
    if (result.status !== 'NOT_ENOUGH_SPEECH') return;
    expect(result.speechSeconds).toBeCloseTo(speechSeconds, 2);
    expect(result.speechSeconds).toBeLessThan(15);
    expect(embedder.inputs).toHaveLength(0);
  });

  it('counts and embeds only speech: silence around it changes neither', async () => {
    const plain = fakeEmbedder();
    const padded = fakeEmbedder();
    const a = await voiceprint([first], 5, plain);
    const b = await voiceprint([withSilence(first, 5)], 5, padded);
    if (a.status !== 'OK' || b.status !== 'OK') throw new Error('expected voiceprints');
    expect(b.voiceprint.speechSeconds).toBeCloseTo(a.voiceprint.speechSeconds, 1);
    // Only the speech reaches the model, at its 16 kHz: twice the 8 kHz speech samples.
    expect(padded.inputs[0].length).toBe(2 * Math.round(b.voiceprint.speechSeconds * 8000));
    expect(b.voiceprint.model).toBe('fake');
  });

  it('pools the speech of several recordings to reach the required amount', async () => {
    const single = await voiceprint([first], 15, fakeEmbedder());
    const pooled = await voiceprint([first, second], 15, fakeEmbedder());
    expect(single.status).toBe('NOT_ENOUGH_SPEECH');
    expect(pooled.status).toBe('OK');
  });
});

describe('embedSpeech', () => {
  it('embeds long speech in equal pieces of at most 60 s and returns the normalised mean', async () => {
    const embedder = fakeEmbedder();
    const vector = await embedSpeech(new Float32Array(150 * 8000).fill(0.1), embedder);
    expect(embedder.inputs.map((input) => input.length)).toEqual([800000, 800000, 800000]);
    const third = 1 / Math.sqrt(3);
    expect([...vector].map((x) => Number(x.toFixed(6)))).toEqual([third, third, third, 0].map((x) => Number(x.toFixed(6))));
  });

  it('refuses empty speech', async () => {
    await expect(embedSpeech(new Float32Array(0), fakeEmbedder())).rejects.toThrow(RangeError);
  });
});
