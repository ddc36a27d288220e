import { rmSync } from 'node:fs';
import type { StackProcess } from './stack-process.ts';

export default async function globalTeardown() {
  const own = globalThis as { voiceIdBundlesStack?: StackProcess };
  await own.voiceIdBundlesStack?.stop();
  own.voiceIdBundlesStack = undefined;
  const dataDir = process.env.VOICE_ID_BUNDLES_TEST_DATA_DIR;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
