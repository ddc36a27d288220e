/**
 * `npm run bench:startup`: how long `npm start` takes to be ready, how much memory the embedded stack holds
 * (the Node process and its engines: DynamoDB Local's JVM and fauxqs), and domain-operation latency.
 * Figures vary with the machine; run it on the machine you want numbers for.
 */
import { CreateDomainCommand, DescribeDomainCommand, VoiceIDClient } from '@aws-sdk/client-voice-id';
import { percentile, startStackProcess } from '#test/support/stack-process';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);

async function main() {
  const startups: number[] = [];
  const memory: number[] = [];
  let latencies: { create: number[]; describe: number[] } = { create: [], describe: [] };
  for (let run = 0; run < RUNS; run++) {
    // Every measured CreateDomain adds a domain: the quota must not be what the benchmark measures.
    const stack = await startStackProcess({ QUOTA_DOMAINS: String(REQUESTS + 1) });
    startups.push(stack.startupSeconds);
    const e = stack.endpoints;
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
    memory.push(stack.rssMiB());
    await stack.stop();
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
