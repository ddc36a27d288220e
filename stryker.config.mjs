// @ts-check
/**
 * Mutation testing of the API model's validation rules, the operations, the rules they share with the workflows,
 * the workflows and the stores: `npm run mutate`
 * (not part of CI; about N minutes on 2 cores). The report goes to reports/mutation/.
 *
 * Most of that code is exercised through the API by integration tests, so the run is wrapped by
 * test/support/run-with-stack.ts: it starts one embedded stack for the whole run, every Jest run borrows it with
 * fresh tables (test/support/global-setup.ts), and the tests serve the API inside their own worker
 * (test/support/clients.ts), where Stryker's mutants are switched on. Tests that drive the service from other
 * processes (the AWS CLI, boto3, `npm start`) or do not reach the mutated code are left out.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** @type {{ projects: Record<string, any>[] }} */
const jestConfig = require('./jest.config.js');
const integration = jestConfig.projects.find((project) => project.displayName === 'integration');
if (!integration) throw new Error('jest.config.js has no integration project.');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  testRunner: 'jest',
  mutate: [
    'lambda/api-model/validation.ts',
    'lambda/operations/**/*.ts',
    'lambda/rules/**/*.ts',
    'lambda/workflows/**/*.ts',
    'lambda/store/**/*.ts',
  ],
  coverageAnalysis: 'perTest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // The tests reach the operations through the API, not through imports Jest could follow.
    enableFindRelatedTests: false,
    // One flat project: Stryker wraps the test environment of the top-level configuration only.
    config: {
      projects: undefined,
      // Node's, noting failures so that the rest of a file can be skipped (see the file).
      testEnvironment: './test/support/mutation/environment.js',
      transform: integration.transform,
      moduleFileExtensions: integration.moduleFileExtensions,
      globalSetup: integration.globalSetup,
      globalTeardown: integration.globalTeardown,
      testMatch: ['<rootDir>/test/unit/*.test.ts', '<rootDir>/test/integration/*.test.ts'],
      testPathIgnorePatterns: [
        '/node_modules/',
        // Other processes (the AWS CLI, boto3, `npm start`, Step Functions' worker) run code Stryker cannot switch;
        // the biometrics and session suites need the speech model, which runs outside the test worker too.
        '/test/integration/(boto3|local-process|local-engines|biometrics|session[-a-z]*)\\.test\\.ts$',
      ],
      // A mutant that makes a test wait forever fails it here, quickly, rather than at Stryker's timeout below
      // (which waits for every test the mutant runs); the slowest test takes under 10 s on a busy machine.
      testTimeout: 30_000,
      // Skip the test files that hold none of the tests covering a mutant (see these two files).
      runner: '<rootDir>/test/support/mutation/test-runner.js',
      setupFilesAfterEnv: ['<rootDir>/test/support/mutation/record-test-names.ts'],
    },
  },
  concurrency: 2,
  // Generous: a busy machine must not turn survivors into timeouts (which would count as detected). Mutants that
  // loop are stopped by Stryker's hit limit and mutants that hang by the test timeout above, long before this.
  timeoutMS: 60_000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 15,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // Keep the sandbox small: Python environments and local data are not needed (the stack needs model/out).
  ignorePatterns: ['/model/.venv', '/.cache', '/.data', '/cdk.out', '/coverage', '/reports', '/.ci'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};

export default config;
