/**
 * `npm run bench:startup`: how long `npm start` takes to be ready, how much memory the embedded stack holds
 * (the Node process and its engines: DynamoDB Local's JVM and fauxqs), and domain-operation latency.
 * Figures vary with the machine; run it on the machine you want numbers for.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateDomainCommand, DescribeDomainCommand, VoiceIDClient } from '@aws-sdk/client-voice-id';
import type { Endpoints } from '../../lib/local/embedded-stack';

const ROOT = path.join(__dirname, '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);

/** Resident memory of a process and all its descendants, in MiB. */
function treeRssMiB(pid: number): number {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,rss=']).toString().trim().split('\n');
  const procs = rows.map((row) => row.trim().split(/\s+/).map(Number));
  const inTree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [child, parent] of procs) if (inTree.has(parent) && !inTree.has(child)) (inTree.add(child), (grew = true));
  }
  return procs.filter(([p]) => inTree.has(p)).reduce((sum, [, , rss]) => sum + rss, 0) / 1024;
}

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * p)];

async function main() {
  const startups: number[] = [];
  const memory: number[] = [];
  let latencies: { create: number[]; describe: number[] } = { create: [], describe: [] };
  for (let run = 0; run < RUNS; run++) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'voice-id-bench-'));
    const started = process.hrtime.bigint();
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['bin/local.ts'], {
      cwd: ROOT,
      // Every measured CreateDomain adds a domain: the quota must not be what the benchmark measures.
      env: { ...process.env, VOICE_ID_DATA_DIR: dataDir, PORT: '0', QUOTA_DOMAINS: String(REQUESTS + 1) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => child.stdout!.on('data', (c) => String(c).includes('is listening') && resolve()));
    startups.push(Number(process.hrtime.bigint() - started) / 1e9);
    const e: Endpoints = JSON.parse(readFileSync(path.join(dataDir, 'endpoints.json'), 'utf8'));
    const client = new VoiceIDClient({ endpoint: e.voiceId, region: e.region, credentials: e.credentials });
    if (run === RUNS - 1) {
      latencies = { create: [], describe: [] };
      for (let i = 0; i < REQUESTS; i++) {
        let t = performance.now();
        const { Domain } = await client.send(
          new CreateDomainCommand({ Name: `bench-${i}`, ServerSideEncryptionConfiguration: { KmsKeyId: e.defaultKmsKeyArn } }),
        );
        latencies.create.push(performance.now() - t);
        t = performance.now();
        await client.send(new DescribeDomainCommand({ DomainId: Domain!.DomainId }));
        latencies.describe.push(performance.now() - t);
      }
    }
    memory.push(treeRssMiB(child.pid!));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
  const fmt = (values: number[], digits = 1) => values.map((v) => v.toFixed(digits)).join(', ');
  console.log(`start-up to ready (s), ${RUNS} runs: ${fmt(startups)}; median ${percentile(startups, 0.5).toFixed(1)}`);
  console.log(`resident memory of the whole stack (MiB): ${fmt(memory, 0)}`);
  for (const [name, values] of Object.entries(latencies)) {
    console.log(
      `${name}: ${REQUESTS} sequential calls, p50 ${percentile(values, 0.5).toFixed(1)} ms, p95 ${percentile(values, 0.95).toFixed(1)} ms`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
