import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type StackProcess, startStackProcess } from './stack-process.ts';
import { readTestStack, TEST_QUOTAS } from './test-stack.ts';

/** The variables through which test/support/bundles-environment.ts hands this project's stack to its suites. */
export const BUNDLES_PREFIX = 'VOICE_ID_BUNDLES_';

/**
 * The bundles project's embedded stack: functions run from their deployment bundles, each in a Lambda-like
 * process (npm start -- --bundles), the stack itself in a process of its own (test/support/test-stack-process.ts).
 * Its description reaches the suites under other names than the integration project's, whose stack may be running too.
 */
export default async function globalSetup() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'voice-id-bundles-test-'));
  const stack = await startStackProcess({ ...TEST_QUOTAS, VOICE_ID_RUN_BUNDLES: '1' }, dataDir, 'test/support/test-stack-process.ts');
  (globalThis as { voiceIdBundlesStack?: StackProcess }).voiceIdBundlesStack = stack;
  const description = readTestStack(dataDir);
  process.env[`${BUNDLES_PREFIX}TEST_STACK_DESCRIPTION`] = JSON.stringify(description);
  process.env[`${BUNDLES_PREFIX}TEST_ENDPOINTS`] = JSON.stringify(description.endpoints);
  process.env[`${BUNDLES_PREFIX}TEST_DATA_DIR`] = dataDir;
}
