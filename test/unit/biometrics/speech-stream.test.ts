/**
 * @jest-environment ./test/unit/biometrics/onnx-environment.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SpeechStreamStateError } from '#biometrics/errors';
import { cosine } from '#biometrics/scoring';
import { type SpeakerEmbedder, speakerEmbedder } from '#biometrics/speaker-model';
import { feedSpeechStream, finishSpeechStream, newSpeechStream, PIECE_SAMPLES, readSpeechStream } from '#biometrics/speech-stream';
import { detectSpeech } from '#biometrics/vad';
import { concatenate, voiceprint } from '#biometrics/voiceprint';
import { decodeWav } from '#biometrics/wav';

const LIBRISPEECH = path.join(__dirname, '../../../..', 'shared/data/librispeech-test-other-10');
const read = (file: string) => decodeWav(readFileSync(path.join(LIBRISPEECH, file))).samples;

const embedder = speakerEmbedder();

/** Read speech of three speakers: 15 s (9.8 s net), 22.8 s and 21.5 s, with pauses between phrases. */
const RECORDINGS = ['spk1688/1688-142285-0000.wav', 'spk3080/3080-5032-0009.wav', 'spk3331/3331-159605-0008.wav'];

/** Chunk sizes in samples, taken in turn: a streaming client's sizes need not line up with anything. */
const CHUNKINGS: Record<string, number[]> = {
  '0.25 s': [2000],
  '1 s': [8000],
  'odd sizes': [1, 255, 257, 4001, 3, 1237, 6000],
};

/** Feeds `samples` chunk by chunk, the state leaving and re-entering as bytes at an odd offset of a larger buffer. */
async function stream(
  samples: Float32Array,
  sizes: number[],
  { finish = true, model = embedder }: { finish?: boolean; model?: SpeakerEmbedder } = {},
): Promise<{ state: Uint8Array; largest: number }> {
  let state = newSpeechStream(model.name);
  let largest = state.byteLength;
  for (let offset = 0, turn = 0; offset < samples.length; turn++) {
    const size = sizes[turn % sizes.length];
    state = await feedSpeechStream(restored(state), samples.subarray(offset, offset + size), model);
    largest = Math.max(largest, state.byteLength);
    offset += size;
  }
  return { state: finish ? await finishSpeechStream(restored(state), model) : state, largest };
}

/** The state as it comes back from storage: a copy, in a buffer it shares with other bytes. */
function restored(state: Uint8Array): Uint8Array {
  const stored = Buffer.alloc(state.byteLength + 3, 0xa5);
  stored.set(state, 1);
  return stored.subarray(1, 1 + state.byteLength);
}

/** An embedder that costs nothing and says which model it is; its embedding does not depend on the audio. */
function fakeEmbedder(name: string, dimension = 256): SpeakerEmbedder & { calls: number[] } {
  const calls: number[] = [];
  return {
    name,
    sampleRate: 16000,
    dimension,
    calls,
    embed(samples) {
      calls.push(samples.length);
      return Promise.resolve(new Float32Array(dimension).fill(1 / Math.sqrt(dimension)));
    },
  };
}

function expectRefused(work: () => unknown, problem: SpeechStreamStateError['problem']) {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(SpeechStreamStateError);
    expect((error as SpeechStreamStateError).problem).toBe(problem);
    return;
  }
  throw new Error(`expected a ${problem} SpeechStreamStateError`);
}

describe('a speech stream', () => {
  describe.each(RECORDINGS)('fed %s in chunks', (file) => {
    const samples = read(file);

    it.each(Object.keys(CHUNKINGS))('finds the speech detectSpeech finds in the whole file, in %s chunks', async (chunking) => {
      const { state } = await stream(samples, CHUNKINGS[chunking]);
      const batch = await detectSpeech(samples, 8000);
      const summary = readSpeechStream(state);
      expect(summary.finished).toBe(true);
      expect(summary.audioSeconds).toBeCloseTo(samples.length / 8000, 9);
      // Exactly the same windows and state machine: only rounding to whole samples separates the two counts.
      expect(Math.abs(summary.speechSeconds - batch.speechSeconds)).toBeLessThan(1e-6);
      expect(summary.pendingSpeechSeconds).toBe(0);
    });

    it('gives a voiceprint close to the batch one, and the same one however the audio is chunked', async () => {
      const batch = await voiceprint([samples], 0, embedder);
      if (batch.status !== 'OK') throw new Error('expected a batch voiceprint');
      const vectors: Float32Array[] = [];
      for (const sizes of Object.values(CHUNKINGS)) {
        const summary = readSpeechStream((await stream(samples, sizes)).state);
        expect(summary.voiceprint?.model).toBe(embedder.name);
        expect(summary.voiceprint?.speechSeconds).toBe(summary.speechSeconds);
        vectors.push(summary.voiceprint!.vector);
      }
      for (const vector of vectors) expect(vector).toEqual(vectors[0]);
      // Pooled from 3.91 s pieces rather than embedded whole: 0.991 at worst over all 100 files of the set.
      expect(cosine(vectors[0], batch.voiceprint.vector)).toBeGreaterThanOrEqual(0.99);
      expect(cosine(vectors[0], batch.voiceprint.vector)).toBeLessThanOrEqual(1 + 1e-6);
    });
  });

  it('embeds speech in whole pieces as it comes, and only the speech it embedded counts', async () => {
    const samples = concatenate(RECORDINGS.map(read));
    const embedding = fakeEmbedder('fake');
    const { state } = await stream(samples, [8000], { finish: false, model: embedding });
    const live = readSpeechStream(state);
    const batch = await detectSpeech(samples, 8000);
    expect(embedding.calls.length).toBeGreaterThan(5);
    // Each piece reaches the model at its 16 kHz.
    expect(new Set(embedding.calls)).toEqual(new Set([2 * PIECE_SAMPLES]));
    expect(live.speechSeconds).toBeCloseTo((embedding.calls.length * PIECE_SAMPLES) / 8000, 9);
    expect(live.pendingSpeechSeconds).toBeLessThan(PIECE_SAMPLES / 8000);
    expect(live.speechSeconds + live.pendingSpeechSeconds).toBeLessThanOrEqual(batch.speechSeconds + 1e-6);
    expect(live.voiceprint?.speechSeconds).toBe(live.speechSeconds);
    expect(live.finished).toBe(false);

    // Finishing embeds the rest, however short, and the count reaches the batch one.
    const finished = readSpeechStream(await finishSpeechStream(state, embedding));
    expect(Math.abs(finished.speechSeconds - batch.speechSeconds)).toBeLessThan(1e-6);
    expect(embedding.calls.at(-1)).toBeLessThan(2 * PIECE_SAMPLES);
  });

  it('finds no speech in digital silence or in a quiet line hiss', async () => {
    let seed = 7;
    const uniform = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const hiss = new Float32Array(10 * 8000).map(() => 0.003 * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
    for (const quiet of [new Float32Array(10 * 8000), hiss]) {
      const embedding = fakeEmbedder('fake');
      const summary = readSpeechStream((await stream(quiet, [2000], { model: embedding })).state);
      expect(summary).toEqual({ audioSeconds: 10, speechSeconds: 0, pendingSpeechSeconds: 0, finished: true });
      expect(embedding.calls).toHaveLength(0);
    }
  });

  it('starts empty, for its model', () => {
    expect(readSpeechStream(newSpeechStream(embedder.name), embedder.name)).toEqual({
      audioSeconds: 0,
      speechSeconds: 0,
      pendingSpeechSeconds: 0,
      finished: false,
    });
    expect(() => newSpeechStream('')).toThrow(RangeError);
  });

  it('stays small through a 10-minute call', async () => {
    const files = readdirSync(LIBRISPEECH, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.wav'))
      .sort();
    const parts: Float32Array[] = [];
    let length = 0;
    for (const file of files) {
      if (length >= 600 * 8000) break;
      const samples = read(file);
      // A second of silence between recordings, as between a caller's answers.
      parts.push(samples, new Float32Array(8000));
      length += samples.length + 8000;
    }
    const call = concatenate(parts).subarray(0, 600 * 8000);
    const { state, largest } = await stream(call, [8000], { finish: false, model: fakeEmbedder('fake') });
    const summary = readSpeechStream(state);
    expect(summary.audioSeconds).toBe(600);
    expect(summary.speechSeconds).toBeGreaterThan(300);
    // A piece of speech waiting for the model (62.6 KB of PCM-16), the undecided audio, the model's memory.
    expect(largest).toBeLessThan(75_000);
  }, 120_000);

  it('takes no audio once finished, and finishing again changes nothing', async () => {
    const embedding = fakeEmbedder('fake');
    const finished = await finishSpeechStream(newSpeechStream('fake'), embedding);
    await expect(feedSpeechStream(finished, new Float32Array(8000), embedding)).rejects.toThrow(RangeError);
    expect(await finishSpeechStream(finished, embedding)).toEqual(finished);
  });

  describe('refuses a state with a typed error', () => {
    let state: Uint8Array;
    beforeAll(async () => {
      state = (await stream(read(RECORDINGS[0]).subarray(0, 10 * 8000), [8000], { finish: false })).state;
    });

    it('when it is damaged, cut short or not a state at all', () => {
      for (const at of [12, 40, Math.floor(state.length / 2), state.length - 1]) {
        const damaged = state.slice();
        damaged[at] ^= 0x10;
        expectRefused(() => readSpeechStream(damaged), 'CORRUPT');
      }
      expectRefused(() => readSpeechStream(state.subarray(0, state.length - 2)), 'CORRUPT');
      expectRefused(() => readSpeechStream(new Uint8Array(0)), 'CORRUPT');
      expectRefused(() => readSpeechStream(new TextEncoder().encode('{"speechSeconds": 12}')), 'CORRUPT');
    });

    it('when another version of the format wrote it', () => {
      const future = state.slice();
      future[4] = 2;
      expectRefused(() => readSpeechStream(future), 'VERSION');
    });

    it('when another speaker model made it', async () => {
      expectRefused(() => readSpeechStream(state, 'cam++'), 'MODEL');
      await expect(feedSpeechStream(state, new Float32Array(800), fakeEmbedder('cam++'))).rejects.toMatchObject({
        name: 'SpeechStreamStateError',
        problem: 'MODEL',
        message: expect.stringContaining('started with the speaker model resemblyzer-ge2e, not cam++') as string,
      });
      // The same name with vectors of another size is another model too.
      await expect(feedSpeechStream(state, new Float32Array(800), fakeEmbedder(embedder.name, 192))).rejects.toThrow(
        SpeechStreamStateError,
      );
    });
  });
});

describe('a decision ready as soon as its speech is', () => {
  it('embeds the speech at once when the confirmed speech reaches readyAtSeconds, instead of waiting for pieces', async () => {
    const samples = concatenate([read('spk3080/3080-5032-0009.wav')]);
    let waiting = newSpeechStream(embedder.name);
    let ready = newSpeechStream(embedder.name);
    for (let offset = 0; offset < samples.length; offset += 8000) {
      const chunk = samples.subarray(offset, offset + 8000);
      waiting = await feedSpeechStream(waiting, chunk, embedder);
      ready = await feedSpeechStream(ready, chunk, embedder, 10);
      const confirmed = readSpeechStream(waiting);
      const early = readSpeechStream(ready);
      // Whenever 10 s of speech are confirmed, the stream that was asked for them has embedded them all.
      if (confirmed.speechSeconds + confirmed.pendingSpeechSeconds >= 10) expect(early.speechSeconds).toBeGreaterThanOrEqual(10);
      else expect(early.speechSeconds).toBe(confirmed.speechSeconds);
    }
    expect(readSpeechStream(ready).speechSeconds).toBeGreaterThanOrEqual(10);
  });
});
