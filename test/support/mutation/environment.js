// For `npm run mutate` only (the testEnvironment of stryker.config.mjs, which Stryker wraps with its own): Jest's
// node environment, remembering in the test file's global whether a test of the file has failed, so that
// test/support/mutation/record-test-names.ts can fail the file's remaining tests at once. Stryker needs one failing
// test to kill a mutant; the rest would only cost time (up to the test timeout each, for a mutant that hangs them).
const { TestEnvironment } = require('jest-environment-node');

class MutationTestEnvironment extends TestEnvironment {
  async handleTestEvent(event) {
    if (event.name === 'test_done' && event.test.errors.length > 0) this.global.__voiceIdTestFailed = true;
  }
}

module.exports = MutationTestEnvironment;
