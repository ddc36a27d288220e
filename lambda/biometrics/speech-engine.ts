/**
 * Where a live session's speech work (speech-stream.ts) runs. ONNX Runtime holds the thread that calls it, so a
 * process serving many calls at once must not run it on its event loop: the embedded stack serves every call from
 * one Node process and hands the work to worker threads, while a Lambda sandbox serves one request at a time and
 * runs it in place, with no thread to start or message to copy.
 */

import { type SpeakerEmbedder, speakerEmbedder } from './speaker-model.ts';
import type { SpeakerModelSettings } from './speaker-model-settings.ts';
import { feedSpeechStream, finishSpeechStream } from './speech-stream.ts';
import { SpeechWorkerPool } from './speech-workers.ts';

export interface SpeechEngine {
  /** The speaker model that embeds the speech; a stream is started for it with newSpeechStream(engine.model). */
  readonly model: string;
  /** feedSpeechStream with this engine's model. The arguments are left as they are; the result is the caller's. */
  feed(state: Uint8Array, samples: Float32Array, readyAtSeconds?: number): Promise<Uint8Array>;
  /** finishSpeechStream with this engine's model. */
  finish(state: Uint8Array): Promise<Uint8Array>;
  /** Ends the engine's threads, refusing work still waiting; in-process, there is nothing to end. */
  close(): Promise<void>;
}

export interface SpeechEngineOptions {
  /** Worker threads; 0 or none runs the work in the caller's thread, as Lambda should. */
  workers?: number;
  /** The speaker model (a deployment's SPEAKER_MODEL and its companions); the default model when none is named. */
  model?: SpeakerModelSettings;
}

/** An engine for `model`: in-process, or on a pool of `workers` threads, each with its own model sessions. */
export function speechEngine({ workers = 0, model = {} }: SpeechEngineOptions = {}): SpeechEngine {
  if (!Number.isSafeInteger(workers) || workers < 0) {
    throw new RangeError(`The number of speech workers must be a whole number, 0 to run in-process, not ${workers}.`);
  }
  // Looking the model up here refuses an unknown name at start rather than on a call's first chunk; its session
  // is still created on first use.
  const embedder = speakerEmbedder(model);
  return workers === 0 ? new InProcessSpeechEngine(embedder) : new SpeechWorkerPool(embedder.name, workers, model);
}

/**
 * Runs the work in the caller's thread, one job after another in the order they came (a worker thread runs its
 * jobs through one of these too). Run side by side, jobs would share the thread window by window and all finish
 * late; in turn, most finish as early as they can. In Lambda there is only ever one job.
 */
export class InProcessSpeechEngine implements SpeechEngine {
  readonly model: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly embedder: SpeakerEmbedder) {
    this.model = embedder.name;
  }

  feed(state: Uint8Array, samples: Float32Array, readyAtSeconds?: number): Promise<Uint8Array> {
    return this.inTurn(() => feedSpeechStream(state, samples, this.embedder, readyAtSeconds));
  }

  finish(state: Uint8Array): Promise<Uint8Array> {
    return this.inTurn(() => finishSpeechStream(state, this.embedder));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    // The next job waits for this one to end, however it ends.
    this.queue = result.catch(() => undefined);
    return result;
  }
}
