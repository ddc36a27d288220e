import { startTestStack } from './test-stack.ts';

/**
 * `tsx test/support/test-stack-process.ts`: a test stack (test/support/test-stack.ts) in a process of its own, in
 * VOICE_ID_DATA_DIR, on the functions' bundles with VOICE_ID_RUN_BUNDLES=1, until SIGINT. For a Jest project whose
 * suites run against bundles while the integration project's stack runs in Jest's own process: a stack gives its
 * handlers their environment through its process's, so two cannot share one.
 */
async function main() {
  const dataDir = process.env.VOICE_ID_DATA_DIR;
  if (!dataDir) throw new Error('Set VOICE_ID_DATA_DIR to the directory the test stack keeps its data and description in.');
  const { stack, description } = await startTestStack(dataDir, { bundles: process.env.VOICE_ID_RUN_BUNDLES === '1' });
  console.log(`Test stack is listening on ${description.endpoints.voiceId}`);
  const stop = () => void stack.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
