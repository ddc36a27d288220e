/**
 * `npm run bench:sessions`: many simulated calls at once, real speech streaming in real time into the embedded
 * stack (`npm start`'s program, in a child process), each evaluated over and over as Amazon Connect's "Check Voice
 * ID" did. For each number of concurrent calls it reports EvaluateSession latency, chunk (ingest) latency and lag
 * behind real time, errors, the stack's memory and the CPU seconds its Node and Java processes and this client used;
 * then the largest number of calls this machine held with no errors and EvaluateSession p99 under 150 ms, and the
 * largest that kept up with real time.
 *
 * BENCH_LEVELS (10,25,50,75,100) concurrent calls; BENCH_CALL_SECONDS (30) of audio per call; BENCH_CHUNK_SECONDS
 * (0.5) per chunk; BENCH_EVALUATE_TPS (60) EvaluateSession requests per second over all calls, each call at least
 * once a second.
 */
import { type SessionClient, toPcm16 } from '#connectors/session-client';
import { percentile, startStackProcess } from '#test/support/stack-process';
import { BENCH_CUSTOMER, benchDomain, sleepUntil, speakers } from './live-calls.ts';

const LEVELS = (process.env.BENCH_LEVELS ?? '10,25,50,75,100').split(',').map(Number);
const CALL_SECONDS = Number(process.env.BENCH_CALL_SECONDS ?? 30);
const CHUNK_SECONDS = Number(process.env.BENCH_CHUNK_SECONDS ?? 0.5);
const EVALUATE_TPS = Number(process.env.BENCH_EVALUATE_TPS ?? 60);
const P99_LIMIT_MS = 150;

interface Measured {
  evaluate: number[];
  append: number[];
  lag: number[];
  errors: string[];
}

async function oneCall(client: SessionClient, DomainId: string, audio: Float32Array, index: number, evaluateEveryMs: number, m: Measured) {
  const { Session } = await client.startSession({ DomainId, SessionName: `bench-${Date.now()}-${index}`, SpeakerId: BENCH_CUSTOMER });
  const target = { DomainId, SessionNameOrId: Session.SessionId };
  const start = performance.now();
  const chunk = Math.round(CHUNK_SECONDS * 8000);
  const chunks = Math.ceil((CALL_SECONDS * 8000) / chunk);
  let streaming = true;
  const evaluations = (async () => {
    // Calls start spread over one evaluation interval, so the load is even rather than in waves.
    let next = start + ((index * 7919) % evaluateEveryMs);
    while (streaming) {
      await sleepUntil(next);
      next += evaluateEveryMs;
      const t = performance.now();
      try {
        await client.evaluate(DomainId, Session.SessionId);
        m.evaluate.push(performance.now() - t);
      } catch (error) {
        m.errors.push(`EvaluateSession: ${(error as Error).message}`);
      }
    }
  })();
  for (let i = 0; i < chunks; i++) {
    const due = start + (i + 1) * CHUNK_SECONDS * 1000;
    await sleepUntil(due);
    const from = (i * chunk) % Math.max(1, audio.length - chunk);
    const t = performance.now();
    try {
      await client.appendAudio({ ...target, SequenceNumber: i, Audio: toPcm16(audio.subarray(from, from + chunk)) });
      const done = performance.now();
      m.append.push(done - t);
      m.lag.push(done - due);
    } catch (error) {
      m.errors.push(`AppendSessionAudio: ${(error as Error).message}`);
    }
  }
  streaming = false;
  await evaluations;
  await client.end(DomainId, Session.SessionId);
}

async function main() {
  const voices = speakers();
  const stack = await startStackProcess({ QUOTA_SESSIONS_PER_DOMAIN: '100000', POWERTOOLS_LOG_LEVEL: 'WARN' });
  try {
    const { DomainId, client } = await benchDomain(stack.endpoints, voices);

    console.log(
      `${CALL_SECONDS} s calls in ${CHUNK_SECONDS} s chunks, EvaluateSession at ${EVALUATE_TPS}/s over all calls (at least 1/s per call)`,
    );
    console.log(
      'calls | EvaluateSession n, p50, p99 (ms) | chunk p50, p99 (ms) | lag behind real time p99, max (ms) | errors | stack RSS (MiB) | CPU s: stack node, java; this client',
    );
    let held = 0;
    let keptUp = 0;
    for (const calls of LEVELS) {
      const m: Measured = { evaluate: [], append: [], lag: [], errors: [] };
      const evaluateEveryMs = Math.min(1000, (calls / EVALUATE_TPS) * 1000);
      let peakRss = 0;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, stack.rssMiB())), 2000);
      const cpuBefore = stack.cpuSeconds();
      const clientBefore = process.cpuUsage();
      await Promise.all(
        Array.from({ length: calls }, (_, i) =>
          oneCall(client, DomainId, voices[i % voices.length], i, evaluateEveryMs, m).catch((error: Error) => m.errors.push(error.message)),
        ),
      );
      clearInterval(sampler);
      // The machine is shared and latency is noisy; the CPU the stack spent on the same load is not.
      const cpuAfter = stack.cpuSeconds();
      const cpu = (command: string) => ((cpuAfter[command] ?? 0) - (cpuBefore[command] ?? 0)).toFixed(0);
      const used = process.cpuUsage(clientBefore);
      const clientCpu = ((used.user + used.system) / 1e6).toFixed(1);
      const p = (values: number[], q: number) => percentile(values, q).toFixed(0);
      console.log(
        `${calls} | ${m.evaluate.length}, ${p(m.evaluate, 0.5)}, ${p(m.evaluate, 0.99)} | ${p(m.append, 0.5)}, ${p(m.append, 0.99)} | ` +
          `${p(m.lag, 0.99)}, ${Math.max(...m.lag).toFixed(0)} | ${m.errors.length} | ${peakRss.toFixed(0)} | ` +
          `${cpu('node')}, ${cpu('java')}; ${clientCpu}`,
      );
      if (m.errors.length) console.log(`  first error: ${m.errors[0]}`);
      if (m.errors.length === 0 && percentile(m.evaluate, 0.99) < P99_LIMIT_MS) held = Math.max(held, calls);
      // Keeping up: no errors, and 99 % of chunks answered before the next one is due.
      if (m.errors.length === 0 && percentile(m.lag, 0.99) < CHUNK_SECONDS * 1000) keptUp = Math.max(keptUp, calls);
    }
    console.log(`largest load held with no errors and EvaluateSession p99 < ${P99_LIMIT_MS} ms: ${held} concurrent real-time calls`);
    console.log(`largest load kept up in real time with no errors (chunk lag p99 < ${CHUNK_SECONDS * 1000} ms): ${keptUp} calls`);
  } finally {
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
