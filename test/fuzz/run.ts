import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { startTestStack } from '#test/support/test-stack';

/**
 * `npm run fuzz -- [--seed N] [--count N] [--from I] [--jobs N]`: starts an embedded stack of its own (as the
 * integration tests do), sends `count` generated bad inputs (10,000 by default) and runs `jobs` batch jobs of bad
 * manifests and recordings, then prints what was sent, how it was answered and every failure with its seed and
 * index. `--from I --count 1` sends input I of the seed again alone. Exit code 1 when anything failed.
 */
async function main() {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: String(Date.now() % 1_000_000) },
      count: { type: 'string', default: '10000' },
      from: { type: 'string', default: '0' },
      jobs: { type: 'string', default: '12' },
      concurrency: { type: 'string', default: '4' },
    },
  });
  const seed = Number(values.seed);
  const count = Number(values.count);
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const dataDir = mkdtempSync(path.join(tmpdir(), 'voice-id-fuzz-'));
  const { stack, description } = await startTestStack(dataDir);
  process.env.VOICE_ID_TEST_STACK_DESCRIPTION = JSON.stringify(description);
  let failed: boolean;
  try {
    const { createFixtures } = await import('./fixtures.ts');
    const { fuzz } = await import('./harness.ts');
    const { fuzzBatchJobs } = await import('./batch-jobs.ts');
    const fixtures = await createFixtures();
    console.log(`Fuzzing with seed ${seed}: ${count} inputs from ${values.from}, then ${values.jobs} batch jobs`);
    const summary = await fuzz({
      seed,
      count,
      from: Number(values.from),
      fixtures,
      concurrency: Number(values.concurrency),
      onBatch: (done, s) =>
        console.log(`  ${done}/${count} inputs, ${s.failures.length} failures, ${(s.milliseconds / 1000).toFixed(1)} s`),
    });
    const jobs = await fuzzBatchJobs({ seed, count: Number(values.jobs), fixtures });
    const failures = [...summary.failures, ...jobs.failures];
    failed = failures.length > 0;
    console.log(`\nSeed ${seed}: ${summary.inputs} inputs in ${(summary.milliseconds / 1000).toFixed(1)} s`);
    console.log('Inputs per kind:', sorted(summary.byKind));
    console.log('Answers per status:', sorted(summary.byStatus));
    console.log('Inputs per operation reached:', sorted(summary.byOperation));
    console.log(
      `Batch jobs: ${jobs.jobs} in ${(jobs.milliseconds / 1000).toFixed(1)} s, ended`,
      sorted(jobs.byStatus),
      `; ${jobs.requests} requests, errors per code`,
      sorted(jobs.errorsByCode),
    );
    console.log(failures.length ? `\n${failures.length} failures:` : '\nNo failures.');
    for (const failure of failures) {
      console.log(`- seed ${failure.seed} input ${failure.index} (${failure.kind}): ${failure.reason}\n    ${failure.input}`);
    }
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

function sorted(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
