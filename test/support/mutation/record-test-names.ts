import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * For `npm run mutate` only (a setupFilesAfterEnv of stryker.config.mjs): records the full name of every test of
 * this file next to the borrowed test stack, so that test/support/mutation/test-runner.js can skip the files
 * that hold none of the tests Stryker asks for (loading an integration test file costs about a second); and once a
 * test of the file has failed, fails the others without running them.
 */
const stackDir = process.env.VOICE_ID_TEST_STACK;
const names = new Set<string>();

if (stackDir) {
  beforeEach(() => {
    const name = expect.getState().currentTestName;
    if (name) names.add(name);
    // Set by test/support/mutation/environment.js: one failure kills the mutant, the rest need not run.
    if ((globalThis as { __voiceIdTestFailed?: boolean }).__voiceIdTestFailed) {
      throw new Error('An earlier test of this file failed, which is all Stryker needs: this one is not run.');
    }
  });
  afterAll(() => {
    const testPath = expect.getState().testPath;
    if (!testPath || !names.size) return;
    const file = testNamesFile(stackDir, testPath);
    mkdirSync(path.dirname(file), { recursive: true });
    let known: string[] = [];
    try {
      known = (JSON.parse(readFileSync(file, 'utf8')) as { names: string[] }).names;
    } catch {
      // First run of this file.
    }
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ testPath, names: [...new Set([...known, ...names])] }));
    renameSync(temporary, file);
  });
}

function testNamesFile(dir: string, testPath: string): string {
  return path.join(dir, 'test-names', `${createHash('sha256').update(testPath).digest('hex').slice(0, 16)}.json`);
}
