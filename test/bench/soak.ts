/**
 * `npm run bench:soak`: the embedded stack (`npm start`'s program, in a child process) under a steady load for
 * minutes on end: live calls stream real speech (LibriSpeech test-other) in real time, one after another in each
 * slot, while EvaluateSession is asked at a fixed rate over whichever calls are live, as Amazon Connect's "Check
 * Voice ID" blocks would. The requests are sent at their times whatever the answers (an open loop), so a stack that
 * falls behind shows it in latency and requests in flight, not in a lower rate.
 *
 * Per minute: requests of each operation, errors by operation and type, latency p50/p95/p99 of EvaluateSession and
 * AppendSessionAudio, how far chunks lag behind real time, and the resident memory (VmRSS) and CPU of every
 * process of the stack's tree (the service's Node process, its speech worker threads included; DynamoDB Local's
 * JVM; the S3 stand-in) and of this client. Then whether memory grew after the warm-up. A table on stdout and a
 * JSON report in reports/.
 *
 *   npm run bench:soak -- [--rate 60] [--minutes 10] [--calls 25] [--call-seconds 60] [--chunk-seconds 0.5] [--warmup-minutes 2]
 *
 * 25 live calls by default: what this project's 2-core development machine holds in real time beside 60
 * EvaluateSession/s with room to spare on a shared day (`npm run bench:sessions`: 50 saturate it when other work
 * runs). It exits 1 when a request failed or a process's memory grew after the warm-up.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { toPcm16, VoiceIdCallError } from '#connectors/session-client';
import { percentile, type StackProcessSample, sampleProcess, startStackProcess } from '#test/support/stack-process';
import { BENCH_CUSTOMER, benchDomain, sleepUntil, speakers } from './live-calls.ts';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '60' },
    minutes: { type: 'string', default: '10' },
    calls: { type: 'string', default: '25' },
    'call-seconds': { type: 'string', default: '60' },
    'chunk-seconds': { type: 'string', default: '0.5' },
    'warmup-minutes': { type: 'string', default: '2' },
  },
});
const RATE = Number(args.rate);
const MINUTES = Number(args.minutes);
const CALLS = Number(args.calls);
const CALL_SECONDS = Number(args['call-seconds']);
const CHUNK_SECONDS = Number(args['chunk-seconds']);
const WARMUP_MINUTES = Math.min(Number(args['warmup-minutes']), MINUTES - 1);
/** Resident memory rising faster than this after the warm-up, by a least-squares fit over the minutes, is growth. */
const GROWTH_MIB_PER_MINUTE = 5;

type Operation = 'EvaluateSession' | 'AppendSessionAudio' | 'StartSession' | 'EndSession';

interface Minute {
  requests: Record<string, number>;
  errors: Record<string, number>;
  latencyMs: { EvaluateSession: number[]; AppendSessionAudio: number[] };
  chunkLagMs: number[];
  maxEvaluationsInFlight: number;
  /** At the end of the minute, by role: resident memory, threads, and CPU used during the minute as % of one core. */
  processes: Record<string, { rssMiB: number; peakRssMiB: number; threads: number; cpuPercent: number }>;
  loadAverage: number;
}

const newMinute = (): Minute => ({
  requests: {},
  errors: {},
  latencyMs: { EvaluateSession: [], AppendSessionAudio: [] },
  chunkLagMs: [],
  maxEvaluationsInFlight: 0,
  processes: {},
  loadAverage: 0,
});

/** What went wrong, as a table's column: the Voice ID error type, else the network error's code. */
function errorType(error: unknown): string {
  if (error instanceof VoiceIdCallError) return error.type;
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as Error).name;
}

/** The stack's processes by role, and this client, as one sample. */
function byRole(samples: StackProcessSample[]): Record<string, StackProcessSample> {
  const roles: Record<string, StackProcessSample> = {};
  for (const s of [{ ...sampleProcess(process.pid)!, role: 'client' }, ...samples]) {
    roles[s.role in roles ? `${s.role}-${s.pid}` : s.role] = s;
  }
  return roles;
}

/** Least-squares slope of `values` against their index: MiB per minute for one RSS a minute. */
function slope(values: number[]): number {
  const n = values.length;
  const meanX = (n - 1) / 2;
  const meanY = values.reduce((a, b) => a + b, 0) / n;
  const num = values.reduce((sum, y, x) => sum + (x - meanX) * (y - meanY), 0);
  const den = values.reduce((sum, _, x) => sum + (x - meanX) ** 2, 0);
  return den ? num / den : 0;
}

async function main() {
  const voices = speakers();
  // Each slot ends its call before it starts the next, so live sessions never exceed the calls.
  const stack = await startStackProcess({ QUOTA_SESSIONS_PER_DOMAIN: String(Math.max(50, CALLS)), POWERTOOLS_LOG_LEVEL: 'WARN' });
  const minutes = Array.from({ length: MINUTES }, newMinute);
  try {
    const { DomainId, client } = await benchDomain(stack.endpoints, voices);
    console.log(
      `Soak: ${RATE} EvaluateSession/s over ${CALLS} live calls (${CALL_SECONDS} s each, ${CHUNK_SECONDS} s chunks in real time) for ${MINUTES} min; stack ready in ${stack.startupSeconds.toFixed(1)} s`,
    );
    const t0 = performance.now();
    const deadline = t0 + MINUTES * 60_000;
    const minuteOf = (t: number) => minutes[Math.min(MINUTES - 1, Math.floor((t - t0) / 60_000))];

    /** Runs one request, counted in the minute it was sent. */
    async function measured<T>(operation: Operation, send: () => Promise<T>): Promise<T | undefined> {
      const sent = performance.now();
      const minute = minuteOf(sent);
      minute.requests[operation] = (minute.requests[operation] ?? 0) + 1;
      try {
        const result = await send();
        if (operation === 'EvaluateSession' || operation === 'AppendSessionAudio')
          minute.latencyMs[operation].push(performance.now() - sent);
        return result;
      } catch (error) {
        const key = `${operation} ${errorType(error)}`;
        minute.errors[key] = (minute.errors[key] ?? 0) + 1;
        return undefined;
      }
    }

    const live = new Set<string>();
    /** One slot's calls, back to back until the end; the first is shorter by slot, so that calls end spread out. */
    async function slot(index: number) {
      const chunk = Math.round(CHUNK_SECONDS * 8000);
      for (let call = 0; performance.now() < deadline; call++) {
        const voice = voices[(index + call) % voices.length];
        const seconds = call === 0 ? (CALL_SECONDS * (index + 1)) / CALLS : CALL_SECONDS;
        const started = await measured('StartSession', () =>
          client.startSession({ DomainId, SessionName: `soak-${index}-${call}`, SpeakerId: BENCH_CUSTOMER }),
        );
        if (!started) continue;
        const SessionId = started.Session.SessionId;
        live.add(SessionId);
        const start = performance.now();
        for (let i = 0; i < Math.ceil((seconds * 8000) / chunk) && performance.now() < deadline; i++) {
          const due = start + (i + 1) * CHUNK_SECONDS * 1000;
          await sleepUntil(due);
          const from = (i * chunk) % Math.max(1, voice.length - chunk);
          const Audio = toPcm16(voice.subarray(from, from + chunk));
          if (
            await measured('AppendSessionAudio', () =>
              client.appendAudio({ DomainId, SessionNameOrId: SessionId, SequenceNumber: i, Audio }),
            )
          )
            minuteOf(due).chunkLagMs.push(performance.now() - due);
        }
        live.delete(SessionId);
        await measured('EndSession', () => client.end(DomainId, SessionId));
      }
    }

    /** EvaluateSession at RATE a second, round-robin over the live calls, each sent on time. */
    async function evaluations() {
      const inFlight = new Set<Promise<unknown>>();
      for (let k = 0, turn = 0; ; k++) {
        const due = t0 + (k * 1000) / RATE;
        if (due >= deadline) break;
        await sleepUntil(due);
        const calls = [...live];
        if (!calls.length) continue;
        const SessionId = calls[turn++ % calls.length];
        const request = measured('EvaluateSession', () => client.evaluate(DomainId, SessionId)).finally(() => inFlight.delete(request));
        inFlight.add(request);
        const minute = minuteOf(due);
        minute.maxEvaluationsInFlight = Math.max(minute.maxEvaluationsInFlight, inFlight.size);
      }
      await Promise.all(inFlight);
    }

    /** Memory and CPU of every process: sampled every 5 s for the peaks, kept at the end of each minute. */
    async function sampling() {
      let before = byRole(stack.processes());
      let peaks: Record<string, number> = {};
      for (let tick = 1; tick <= MINUTES * 12; tick++) {
        await sleepUntil(t0 + tick * 5000);
        const now = byRole(stack.processes());
        for (const [role, s] of Object.entries(now)) peaks[role] = Math.max(peaks[role] ?? 0, s.rssMiB);
        if (tick % 12 !== 0) continue;
        const minute = minutes[tick / 12 - 1];
        minute.loadAverage = loadavg()[0];
        for (const [role, s] of Object.entries(now)) {
          minute.processes[role] = {
            rssMiB: s.rssMiB,
            peakRssMiB: peaks[role],
            threads: s.threads,
            cpuPercent: ((s.cpuSeconds - (before[role]?.cpuSeconds ?? 0)) / 60) * 100,
          };
        }
        before = now;
        peaks = {};
      }
    }

    await Promise.all([sampling(), evaluations(), ...Array.from({ length: CALLS }, (_, i) => slot(i))]);
    report(minutes);
  } finally {
    await stack.stop();
  }
}

function report(minutes: Minute[]) {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '-');
  const p = (values: number[]) => `${f(percentile(values, 0.5))}/${f(percentile(values, 0.95))}/${f(percentile(values, 0.99))}`;
  const roles = [...new Set(minutes.flatMap((m) => Object.keys(m.processes)))];
  console.log(
    `min | EvaluateSession n (/s), p50/p95/p99 ms, max in flight | AppendSessionAudio n, p50/p95/p99 ms, lag p99 ms | Start, End | errors | RSS MiB (CPU % of a core): ${roles.join(', ')} | load`,
  );
  minutes.forEach((m, i) => {
    const errors =
      Object.entries(m.errors)
        .map(([key, n]) => `${key} ${n}`)
        .join('; ') || '0';
    const processes = roles
      .map((role) => m.processes[role])
      .map((s) => (s ? `${f(s.rssMiB)} (${f(s.cpuPercent)})` : '-'))
      .join(', ');
    const evaluations = m.requests.EvaluateSession ?? 0;
    console.log(
      `${i + 1} | ${evaluations} (${(evaluations / 60).toFixed(1)}), ${p(m.latencyMs.EvaluateSession)}, ${m.maxEvaluationsInFlight} | ` +
        `${m.requests.AppendSessionAudio ?? 0}, ${p(m.latencyMs.AppendSessionAudio)}, ${f(percentile(m.chunkLagMs, 0.99))} | ` +
        `${m.requests.StartSession ?? 0}, ${m.requests.EndSession ?? 0} | ${errors} | ${processes} | ${m.loadAverage.toFixed(1)}`,
    );
  });

  const all = (key: 'EvaluateSession' | 'AppendSessionAudio') => minutes.flatMap((m) => m.latencyMs[key]);
  const errorCount = minutes.reduce((sum, m) => sum + Object.values(m.errors).reduce((a, b) => a + b, 0), 0);
  const requestCount = minutes.reduce((sum, m) => sum + Object.values(m.requests).reduce((a, b) => a + b, 0), 0);
  console.log(
    `all: ${requestCount} requests, ${errorCount} errors; EvaluateSession p50/p95/p99 ${p(all('EvaluateSession'))} ms; AppendSessionAudio ${p(all('AppendSessionAudio'))} ms`,
  );

  // Growth: each process's RSS at the end of each minute after the warm-up.
  const after = minutes.slice(Math.max(0, WARMUP_MINUTES - 1));
  const growth: Record<string, { fromMiB: number; toMiB: number; slopeMiBPerMinute: number }> = {};
  if (WARMUP_MINUTES >= 1 && after.length >= 3) {
    for (const role of roles) {
      const rss = after.map((m) => m.processes[role]?.rssMiB).filter((v): v is number => v !== undefined);
      if (rss.length < 3) continue;
      growth[role] = { fromMiB: rss[0], toMiB: rss[rss.length - 1], slopeMiBPerMinute: slope(rss) };
      console.log(
        `RSS of ${role} after ${WARMUP_MINUTES} min of warm-up: ${f(rss[0])} -> ${f(rss[rss.length - 1])} MiB, ${growth[role].slopeMiBPerMinute.toFixed(1)} MiB/min`,
      );
    }
  } else {
    console.log('Too short a run to judge memory growth: it needs at least 2 minutes after the warm-up.');
  }
  const grew = Object.entries(growth).filter(([, g]) => g.slopeMiBPerMinute > GROWTH_MIB_PER_MINUTE);
  const judged = Object.keys(growth).length > 0 ? 'no memory growth after the warm-up' : 'memory growth not judged';
  console.log(
    errorCount === 0 && grew.length === 0
      ? `PASS: no errors, ${judged}`
      : `FAIL: ${errorCount} errors${grew.length ? `; memory grew (over ${GROWTH_MIB_PER_MINUTE} MiB/min): ${grew.map(([role]) => role).join(', ')}` : ''}`,
  );

  const reports = path.join(__dirname, '..', '..', 'reports');
  mkdirSync(reports, { recursive: true });
  const file = path.join(reports, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const options = {
    rate: RATE,
    minutes: MINUTES,
    calls: CALLS,
    callSeconds: CALL_SECONDS,
    chunkSeconds: CHUNK_SECONDS,
    warmupMinutes: WARMUP_MINUTES,
  };
  const perMinute = minutes.map((m, i) => ({
    minute: i + 1,
    requests: m.requests,
    errors: m.errors,
    latencyMs: Object.fromEntries(
      Object.entries(m.latencyMs).map(([op, values]) => [
        op,
        { p50: percentile(values, 0.5), p95: percentile(values, 0.95), p99: percentile(values, 0.99), max: Math.max(...values) },
      ]),
    ),
    chunkLagP99Ms: percentile(m.chunkLagMs, 0.99),
    maxEvaluationsInFlight: m.maxEvaluationsInFlight,
    processes: m.processes,
    loadAverage: m.loadAverage,
  }));
  writeFileSync(file, JSON.stringify({ options, requestCount, errorCount, growth, minutes: perMinute }, null, 2));
  console.log(`Report: ${path.relative(process.cwd(), file)}`);
  if (errorCount || grew.length) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
