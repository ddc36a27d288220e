/**
 * @jest-environment ./test/unit/biometrics/onnx-environment.ts
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SpeechStreamStateError } from '#biometrics/errors';
import { InProcessSpeechEngine, type SpeechEngine, speechEngine } from '#biometrics/speech-engine';
import { newSpeechStream, readSpeechStream } from '#biometrics/speech-stream';
import { SpeechWorkerPool, workerScriptFile } from '#biometrics/speech-workers';
import { decodeWav } from '#biometrics/wav';

const LIBRISPEECH = path.join(__dirname, '../../../..', 'shared/data/librispeech-test-other-10');
const read = (file: string) => decodeWav(readFileSync(path.join(LIBRISPEECH, file))).samples;

/** Two calls at once, of different speakers. */
const CALLS = [read('spk1688/1688-142285-0000.wav'), read('spk3080/3080-5032-0009.wav')];

/** A call's chunks, 0.5 s each, one after the other; returns every state, the finished one last. */
async function run(engine: SpeechEngine, call: Float32Array): Promise<Uint8Array[]> {
  const states = [newSpeechStream(engine.model)];
  for (let offset = 0; offset < call.length; offset += 4000) {
    states.push(await engine.feed(states.at(-1)!, call.subarray(offset, offset + 4000)));
  }
  states.push(await engine.finish(states.at(-1)!));
  return states;
}

/** Compared by digest: Jest's deep equality takes seconds over a hundred states of 60 KB. */
const digests = (calls: Uint8Array[][]) => calls.map((states) => states.map((state) => createHash('sha256').update(state).digest('hex')));

describe('speechEngine', () => {
  it('loads its worker code from a directory of its own, which no other user of the machine may write to', async () => {
    const file = await workerScriptFile();
    // Not the shared, predictable path another user could have made first, with their code in it.
    expect(path.dirname(file)).not.toBe(path.join(tmpdir(), 'open-voice-id'));
    const directory = statSync(path.dirname(file));
    expect(directory.uid).toBe(process.getuid?.());
    expect(directory.mode & 0o077).toBe(0);
    expect(statSync(file).mode & 0o022).toBe(0);
  });

  const inProcess = speechEngine();
  let pool: SpeechEngine;
  beforeAll(() => {
    pool = speechEngine({ workers: 2 });
  });
  afterAll(() => pool.close());

  it('runs in-process unless workers are asked for, and refuses what it cannot run', () => {
    expect(inProcess).toBeInstanceOf(InProcessSpeechEngine);
    expect(inProcess.model).toBe('resemblyzer-ge2e');
    expect(pool).toBeInstanceOf(SpeechWorkerPool);
    expect(() => speechEngine({ workers: -1 })).toThrow(RangeError);
    expect(() => speechEngine({ workers: 1.5 })).toThrow(RangeError);
    expect(() => speechEngine({ workers: 2, model: { name: 'cam++' } })).toThrow('Unknown speaker model cam++');
  });

  it('gives on worker threads exactly the states it gives in-process, for calls served at once', async () => {
    const [expected, actual] = await Promise.all([
      Promise.all(CALLS.map((call) => run(inProcess, call))),
      Promise.all(CALLS.map((call) => run(pool, call))),
    ]);
    expect(digests(actual)).toEqual(digests(expected));
    for (const states of actual) expect(readSpeechStream(states.at(-1)!).voiceprint).toBeDefined();
  });

  it("runs an operator's own model on worker threads as in-process", async () => {
    const directory = path.join(__dirname, '../../../model/fixtures');
    const file = 'tiny-wespeaker.onnx';
    const sha256 = createHash('sha256')
      .update(readFileSync(path.join(directory, file)))
      .digest('hex');
    const model = { directory, custom: { file, sha256, format: 'wespeaker' as const } };
    const custom = speechEngine({ workers: 1, model });
    try {
      expect(custom.model).toBe(`custom-wespeaker-${sha256.slice(0, 12)}`);
      const [expected, actual] = await Promise.all([run(speechEngine({ model }), CALLS[0]), run(custom, CALLS[0])]);
      expect(digests([actual])).toEqual(digests([expected]));
      expect(readSpeechStream(actual.at(-1)!).voiceprint?.vector).toHaveLength(16);
    } finally {
      await custom.close();
    }
  });

  it('leaves the arrays it was given as they were', async () => {
    const state = newSpeechStream(pool.model);
    // A view into a larger buffer, as a decoded request body is: the rest of that buffer is not the pool's to take.
    const body = new Float32Array(10_000).fill(0.25);
    const samples = body.subarray(1000, 9000);
    await pool.feed(state, samples);
    expect(samples).toHaveLength(8000);
    expect(body.every((value) => value === 0.25)).toBe(true);
    expect(readSpeechStream(state).audioSeconds).toBe(0);
  });

  it('rejects a job that fails in a worker with the error, as its own class', async () => {
    const damaged = newSpeechStream(pool.model);
    damaged[damaged.length - 1] ^= 1;
    const failure = pool.feed(damaged, new Float32Array(800));
    await expect(failure).rejects.toBeInstanceOf(SpeechStreamStateError);
    await expect(failure).rejects.toMatchObject({ problem: 'CORRUPT' });
    await expect(pool.feed(newSpeechStream('other-model'), new Float32Array(800))).rejects.toMatchObject({ problem: 'MODEL' });
    // The worker is still there for the next job.
    await expect(pool.feed(newSpeechStream(pool.model), new Float32Array(800))).resolves.toBeInstanceOf(Uint8Array);
  });

  it('fails the jobs of a worker that dies with its error, and starts a new one for the next job', async () => {
    // The factory refuses an unknown model; the pool itself leaves that to its workers, which then cannot start.
    const broken = new SpeechWorkerPool('no-such-model', 1);
    try {
      await expect(broken.feed(newSpeechStream('no-such-model'), new Float32Array(800))).rejects.toThrow(
        'Unknown speaker model no-such-model',
      );
      expect(broken.runningWorkers()).toBe(0);
      await expect(broken.finish(newSpeechStream('no-such-model'))).rejects.toThrow('Unknown speaker model no-such-model');
    } finally {
      await broken.close();
    }
  });

  it('ends its workers on close, refusing work still waiting and work sent after', async () => {
    const engine = new SpeechWorkerPool('resemblyzer-ge2e', 2);
    await Promise.all([
      engine.feed(newSpeechStream(engine.model), new Float32Array(800)),
      engine.feed(newSpeechStream(engine.model), new Float32Array(800)),
    ]);
    expect(engine.runningWorkers()).toBe(2);
    // Expected before the close, so that the rejection is never left unhandled.
    const waiting = expect(engine.feed(newSpeechStream(engine.model), CALLS[0])).rejects.toThrow(
      'The speech engine was closed before this work was done.',
    );
    await new Promise((resolve) => setImmediate(resolve)); // sent, and 15 s of audio keep the worker busy
    await engine.close();
    await waiting;
    expect(engine.runningWorkers()).toBe(0);
    await expect(engine.feed(newSpeechStream(engine.model), new Float32Array(800))).rejects.toThrow('The speech engine is closed.');
  });
});
