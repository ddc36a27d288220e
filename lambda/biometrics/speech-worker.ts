/**
 * The entry point of a speech worker thread (speech-workers.ts bundles it and starts it): it runs the speech
 * stream's work in its own thread, with its own ONNX sessions, one job after another, and answers each with the new
 * state or with the error.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { speakerEmbedder } from './speaker-model.ts';
import { InProcessSpeechEngine } from './speech-engine.ts';
import { type SpeechJob, type SpeechReply, type SpeechWorkerData, serialiseError } from './speech-worker-protocol.ts';

if (!parentPort) throw new Error('speech-worker.ts runs as a worker thread; start it with speechEngine({ workers }).');
const port: MessagePort = parentPort;
const { model } = workerData as SpeechWorkerData;
const engine = new InProcessSpeechEngine(speakerEmbedder(model));

port.on('message', (job: SpeechJob) => {
  const work = job.op === 'feed' ? engine.feed(job.state, job.samples, job.readyAtSeconds) : engine.finish(job.state);
  work.then(
    // The state is transferred, not copied: the worker has no further use for it.
    (state) => port.postMessage({ id: job.id, state } satisfies SpeechReply, [state.buffer as ArrayBuffer]),
    (error: unknown) => port.postMessage({ id: job.id, error: serialiseError(error) } satisfies SpeechReply),
  );
});
