import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * `tsx test/support/run-with-stack.ts <command> [args...]`: starts one embedded stack for tests, runs the command
 * with VOICE_ID_TEST_STACK pointing at it and VOICE_ID_TEST_IN_PROCESS=1, and stops the stack when the command
 * ends. Every Jest run inside the command (Stryker runs one per mutant) then borrows this stack instead of
 * starting its own (test/support/global-setup.ts) and serves the API in its own worker (test/support/clients.ts),
 * so the code under test is the code Jest loaded.
 */
async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (!command) throw new Error('Usage: tsx test/support/run-with-stack.ts <command> [args...]');
  // As jest.config.js does: handlers log only warnings and errors.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const environment = { ...process.env };
  const { startTestStack } = await import('./test-stack.ts');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'voice-id-shared-test-stack-'));
  process.env.VOICE_ID_TEST_IN_PROCESS = '1';
  const { stack, description } = await startTestStack(dataDir, { withTemplate: true });
  console.log(`Test stack ready in ${dataDir} (DynamoDB Local ${description.endpoints.dynamodb}); running ${[command, ...args].join(' ')}`);

  const child = spawn(command, args, {
    stdio: 'inherit',
    env: {
      ...environment,
      // Credentials and settings the SDK clients of tests and handlers need; not NODE_OPTIONS, meant for Lambda.
      ...Object.fromEntries(Object.entries(description.handlerEnvironment).filter(([name]) => name !== 'NODE_OPTIONS')),
      VOICE_ID_TEST_STACK: dataDir,
      VOICE_ID_TEST_IN_PROCESS: '1',
    },
  });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  const code = await new Promise<number>((resolve) => {
    child.once('error', (error) => (console.error(error.message), resolve(1)));
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
