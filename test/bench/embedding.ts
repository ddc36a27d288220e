/**
 * `npm run bench:embedding`: speed and memory of the speaker model and of the whole authentication pipeline
 * (VAD trim, 8 -> 16 kHz resampling, embedding) on 10 s of LibriSpeech speech, one request at a time and 10 at
 * once. Figures vary with the machine; run it on the machine you want numbers for.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { resample } from '#biometrics/resample';
import { speakerEmbedder } from '#biometrics/speaker-model';
import { concatenate, extractSpeech, voiceprint } from '#biometrics/voiceprint';
import { decodeWav } from '#biometrics/wav';

const ROOT = path.join(__dirname, '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const CONCURRENCY = 10;
const CLIP_SECONDS = 10;

const MiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const p90 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * 0.9)];

async function timed<T>(work: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Latency of one request at a time, then of CONCURRENCY started together, with their wall time. */
async function measure(label: string, audioSeconds: number, request: () => Promise<unknown>) {
  const single: number[] = [];
  for (let i = 0; i < RUNS; i++) single.push(await timed(request));
  const concurrent: number[] = [];
  const walls: number[] = [];
  for (let round = 0; round < 3; round++) {
    walls.push(await timed(() => Promise.all(Array.from({ length: CONCURRENCY }, () => timed(request).then((ms) => concurrent.push(ms))))));
  }
  console.log(
    `${label}\n` +
      `  1 at a time:   median ${median(single).toFixed(0)} ms, p90 ${p90(single).toFixed(0)} ms per request ` +
      `(real-time factor ${(median(single) / 1000 / audioSeconds).toFixed(4)})\n` +
      `  ${CONCURRENCY} at once:    median ${median(concurrent).toFixed(0)} ms, p90 ${p90(concurrent).toFixed(0)} ms per request; ` +
      `all ${CONCURRENCY} done in ${median(walls).toFixed(0)} ms (${((CONCURRENCY * 1000) / median(walls)).toFixed(1)} requests/s)`,
  );
}

async function main() {
  const embedder = speakerEmbedder();
  const before = process.memoryUsage().rss;
  // A second of silence is enough to load the model; the VAD is not loaded yet, so the growth is the model's.
  const loadMs = await timed(() => embedder.embed(new Float32Array(embedder.sampleRate)));
  const afterLoad = process.memoryUsage().rss;
  console.log(
    `model load (sha256 check + session) and first call: ${loadMs.toFixed(0)} ms; ` +
      `RSS ${MiB(before)} before, ${MiB(afterLoad)} after (+${MiB(afterLoad - before)})`,
  );

  const file = path.join(ROOT, '..', 'shared', 'data', 'librispeech-test-other-10', 'spk1688', '1688-142285-0001.wav');
  const audio = decodeWav(readFileSync(file)).samples;
  // 10 s of net speech: the amount an authentication needs.
  const speech = (await extractSpeech(audio)).subarray(0, CLIP_SECONDS * 8000);
  const speech16k = resample(speech, 8000, 16000);
  // Audio that holds just over 10 s of speech, for the whole pipeline.
  const call = decodeWav(readFileSync(file.replace('0001.wav', '0000.wav'))).samples;
  const callWithEnoughSpeech = concatenate([call, audio]);

  await measure('embedding only (10 s of speech at 16 kHz)', CLIP_SECONDS, () => embedder.embed(speech16k));
  const callSeconds = callWithEnoughSpeech.length / 8000;
  await measure(
    `whole pipeline (${callSeconds.toFixed(1)} s of 8 kHz audio holding over 10 s of speech: VAD, trim, resample, embed)`,
    callSeconds,
    () => voiceprint([callWithEnoughSpeech], CLIP_SECONDS, embedder),
  );
  const resampleMs = await timed(() => Promise.resolve(resample(speech, 8000, 16000)));
  console.log(`  of which resampling 10 s of speech: ${resampleMs.toFixed(0)} ms`);
  console.log(`RSS at the end ${MiB(process.memoryUsage().rss)}, peak ${MiB(process.resourceUsage().maxRSS * 1024)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
