import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startEmbeddedStack } from '../../lib/local/embedded-stack';
import { TEST_QUOTAS } from './clients';

/** One embedded stack, in a fresh data directory, for all integration tests of a run. */
export default async function globalSetup() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'voice-id-test-'));
  Object.assign(process.env, TEST_QUOTAS);
  const stack = await startEmbeddedStack({ dataDir, port: 0 });
  process.env.VOICE_ID_TEST_ENDPOINTS = JSON.stringify(stack.endpoints);
  process.env.VOICE_ID_TEST_DATA_DIR = dataDir;
  (globalThis as { voiceIdStack?: unknown }).voiceIdStack = stack;
}
