import { rmSync } from 'node:fs';
import type { EmbeddedStack } from '../../lib/local/embedded-stack';

export default async function globalTeardown() {
  await (globalThis as { voiceIdStack?: EmbeddedStack }).voiceIdStack?.stop();
  if (process.env.VOICE_ID_TEST_DATA_DIR) rmSync(process.env.VOICE_ID_TEST_DATA_DIR, { recursive: true, force: true });
}
