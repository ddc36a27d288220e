/**
 * `npm run bench:stream`: how many live calls one process can serve in real time, with the speech work in-process
 * (as in Lambda) and on a pool of worker threads, one per core (as in the embedded stack).
 *
 * Each simulated call sends LibriSpeech speech (librispeech-test-other-10, one recording after another, a different
 * place for each call) in chunks of CHUNK_SECONDS, each chunk going through the engine with the state the previous
 * one returned, as AppendSessionAudio does.
 *   1. Saturation: CALLS calls at once, each chunk sent as soon as the previous one is answered: throughput, and the
 *      latency a chunk sees when every call queues for the same cores.
 *   2. Real time: calls send a chunk every CHUNK_SECONDS; a call that falls behind sends its next chunk as soon as
 *      the previous one is answered, as a client with audio buffered would. N keeps up when 99 % of chunks are
 *      answered within one chunk's duration and no call ends more than one chunk behind. The largest such N is
 *      searched for by bisection below the saturation throughput.
 * Environment: CALLS (list, default 1,10,50), CALL_SECONDS (30), CHUNK_SECONDS (0.5), PACED_SECONDS (15),
 * WORKERS (one per core).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type SpeechEngine, speechEngine } from '#biometrics/speech-engine';
import { newSpeechStream, readSpeechStream } from '#biometrics/speech-stream';
import { concatenate } from '#biometrics/voiceprint';
import { decodeWav, VOICE_ID_SAMPLE_RATE } from '#biometrics/wav';

const RATE = VOICE_ID_SAMPLE_RATE;
const DATA = path.join(__dirname, '..', '..', '..', 'shared', 'data', 'librispeech-test-other-10');
const SATURATION_CALLS = (process.env.CALLS ?? '1,10,50').split(',').map(Number);
const CALL_SECONDS = Number(process.env.CALL_SECONDS ?? 30);
const CHUNK_SECONDS = Number(process.env.CHUNK_SECONDS ?? 0.5);
const PACED_SECONDS = Number(process.env.PACED_SECONDS ?? 15);
const WORKERS = Number(process.env.WORKERS ?? availableParallelism());
const CHUNK = Math.round(CHUNK_SECONDS * RATE);
const CHUNK_MS = CHUNK_SECONDS * 1000;

/** Every recording of the set, one after another: 12.8 minutes of read speech by 10 speakers. */
const speech = concatenate(
  readdirSync(DATA, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.wav'))
    .sort()
    .map((file) => decodeWav(readFileSync(path.join(DATA, file))).samples),
);

/** Call `i`'s audio: `seconds` of the set from a place of its own, wrapping round at the end. */
function callAudio(i: number, seconds: number): Float32Array {
  const length = Math.round(seconds * RATE);
  const start = (i * 37 * RATE) % speech.length;
  const audio = new Float32Array(length);
  for (let filled = 0; filled < length; ) {
    const from = (start + filled) % speech.length;
    const part = speech.subarray(from, Math.min(speech.length, from + length - filled));
    audio.set(part, filled);
    filled += part.length;
  }
  return audio;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))];
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

interface Run {
  latencies: number[];
  audioSeconds: number;
  wallSeconds: number;
  /** How far behind its real-time schedule the worst call ended. */
  worstBacklogMs: number;
  largestState: number;
  /** The 99th percentile of the main thread's event-loop delay: what every other request of the process waits. */
  loopDelayP99Ms: number;
  /** CPU time of the whole process, workers included, per second of audio: what the cores would allow if idle. */
  cpuMsPerAudioSecond: number;
}

/** `calls` calls at once, each of `seconds`; paced at real time or as fast as answers come. */
async function simulate(engine: SpeechEngine, calls: number, seconds: number, paced: boolean): Promise<Run> {
  const latencies: number[] = [];
  let worstBacklogMs = 0;
  let largestState = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: calls }, async (_, i) => {
      const audio = callAudio(i, seconds);
      // Paced calls start spread over one chunk, as real calls are not in step with each other.
      const callStart = started + (paced ? (i / calls) * CHUNK_MS : 0);
      let state = newSpeechStream(engine.model);
      for (let k = 0, offset = 0; offset < audio.length; k++, offset += CHUNK) {
        const due = callStart + (k + 1) * CHUNK_MS; // the chunk's audio exists once it has been spoken
        if (paced) await sleep(due - performance.now());
        const sent = performance.now();
        state = await engine.feed(state, audio.subarray(offset, offset + CHUNK));
        const answered = performance.now();
        latencies.push(answered - sent);
        largestState = Math.max(largestState, state.byteLength);
        if (paced) worstBacklogMs = Math.max(worstBacklogMs, answered - due - CHUNK_MS);
      }
      if (readSpeechStream(state).audioSeconds !== audio.length / RATE) throw new Error('a call lost audio');
    }),
  );
  loopDelay.disable();
  const { user, system } = process.cpuUsage(cpu);
  return {
    cpuMsPerAudioSecond: (user + system) / 1000 / (calls * seconds),
    latencies,
    audioSeconds: calls * seconds,
    wallSeconds: (performance.now() - started) / 1000,
    worstBacklogMs,
    largestState,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
  };
}

function keepsUp(run: Run): boolean {
  return percentile(run.latencies, 0.99) <= CHUNK_MS && run.worstBacklogMs <= CHUNK_MS;
}

function describe(run: Run): string {
  const p50 = percentile(run.latencies, 0.5).toFixed(1);
  const p99 = percentile(run.latencies, 0.99).toFixed(1);
  const throughput = (run.audioSeconds / run.wallSeconds).toFixed(1);
  const state = (run.largestState / 1024).toFixed(1);
  return (
    `chunk latency p50 ${p50} ms, p99 ${p99} ms; ${throughput} s of audio per s; ` +
    `event-loop delay p99 ${run.loopDelayP99Ms.toFixed(0)} ms; CPU ${run.cpuMsPerAudioSecond.toFixed(1)} ms per s of audio; ` +
    `largest state ${state} KiB`
  );
}

/** `threads` is how many threads can run the models at once: 1 in-process, the workers (up to the cores) otherwise. */
async function bench(label: string, engine: SpeechEngine, threads: number): Promise<void> {
  // Every thread loads its models before anything is timed.
  await simulate(engine, 2 * WORKERS, 10, false);
  console.log(`\n${label}`);
  let capacity = 0;
  let cpuMs = 0;
  for (const calls of SATURATION_CALLS) {
    const run = await simulate(engine, calls, CALL_SECONDS, false);
    capacity = Math.max(capacity, run.audioSeconds / run.wallSeconds);
    cpuMs = run.cpuMsPerAudioSecond;
    console.log(`  saturation, ${String(calls).padStart(3)} calls: ${describe(run)}`);
  }
  // Real calls need one second of audio per second each; with the cores to itself the process would be CPU-bound.
  console.log(`  CPU-bound ceiling with ${threads} idle core(s): about ${Math.floor((threads * 1000) / cpuMs)} calls`);

  // Bisection between a count that keeps up and one that does not, starting from the saturation throughput.
  let good = 0;
  let bad = Math.ceil(capacity * 1.25) + 1;
  const tried = new Map<number, Run>();
  while (bad - good > 1) {
    const calls = good === 0 && !tried.size ? Math.max(1, Math.floor(capacity * 0.8)) : Math.floor((good + bad) / 2);
    const run = await simulate(engine, calls, PACED_SECONDS, true);
    tried.set(calls, run);
    const ok = keepsUp(run);
    const verdict = ok ? 'keeps up' : 'falls behind';
    console.log(
      `  real time, ${String(calls).padStart(3)} calls: ${verdict}; ${describe(run)}; worst backlog ${run.worstBacklogMs.toFixed(0)} ms`,
    );
    if (ok) good = calls;
    else bad = calls;
  }
  console.log(`  largest number of calls kept in real time: ${good} (load average now ${loadavg()[0].toFixed(2)})`);
}

async function main() {
  console.log(
    `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.versions.node}, ` +
      `load average ${loadavg()[0].toFixed(2)} before the run (other processes share these cores); ` +
      `chunks of ${CHUNK_SECONDS} s; saturation calls of ${CALL_SECONDS} s, real-time runs of ${PACED_SECONDS} s`,
  );
  const inProcess = speechEngine({ workers: 0 });
  await bench('in-process (the event loop runs the models)', inProcess, 1);
  const pool = speechEngine({ workers: WORKERS });
  try {
    await bench(`worker pool, ${WORKERS} workers`, pool, Math.min(WORKERS, cpus().length));
  } finally {
    await pool.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
