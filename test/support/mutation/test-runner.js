// For `npm run mutate` only (the `runner` of stryker.config.mjs): Jest's own runner, made cheaper for Stryker's
// many short runs, without changing which tests can kill a mutant:
// - it leaves out the test files that hold none of the tests a run asks for by name (Stryker runs each mutant
//   with a testNamePattern of the tests that cover it; Jest would load every file to find out, about a second
//   each for integration tests). The names come from test/support/mutation/record-test-names.ts; a file with no
//   record is always run.
// - it runs unit test files first and stops at the first file with a failing test, as Stryker needs only one.
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const path = require('node:path');
const JestRunner = require('jest-runner').default;

class MutationTestRunner extends JestRunner {
  constructor(globalConfig, context) {
    super(globalConfig, context);
    this.pattern = globalConfig.testNamePattern ? new RegExp(globalConfig.testNamePattern, 'i') : undefined;
  }

  async runTests(tests, watcher, options) {
    const stackDir = process.env.VOICE_ID_TEST_STACK;
    const selected = (this.pattern && stackDir ? tests.filter((test) => this.mayMatch(stackDir, test.path)) : tests)
      .map((test) => ({ test, rank: test.path.includes(`${path.sep}unit${path.sep}`) ? 0 : 1 }))
      .sort((a, b) => a.rank - b.rank || a.test.path.localeCompare(b.test.path))
      .map(({ test }) => test);
    let failed = false;
    const stopListening = [
      this.on('test-file-success', ([, result]) => (failed ||= result.numFailingTests > 0 || !!result.testExecError)),
      this.on('test-file-failure', () => (failed = true)),
    ];
    try {
      for (const test of selected) {
        if (failed) break;
        await super.runTests([test], watcher, options);
      }
    } finally {
      for (const stop of stopListening) stop();
    }
  }

  mayMatch(stackDir, testPath) {
    const file = path.join(stackDir, 'test-names', `${createHash('sha256').update(testPath).digest('hex').slice(0, 16)}.json`);
    let names;
    try {
      names = JSON.parse(readFileSync(file, 'utf8')).names;
    } catch {
      return true;
    }
    return names.some((name) => this.pattern.test(name));
  }
}

module.exports = MutationTestRunner;
