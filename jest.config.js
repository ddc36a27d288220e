// Handlers log every request at INFO; tests show only warnings and errors.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

/** Unit and infrastructure tests run alone; integration tests share one embedded stack started by globalSetup. */
const transform = {
  '^.+\\.ts$': [
    'ts-jest',
    {
      diagnostics: false,
      tsconfig: { module: 'commonjs', moduleResolution: 'node10', verbatimModuleSyntax: false },
    },
  ],
};

const common = { testEnvironment: 'node', transform, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      // The deployment bundles run here: their own checks, and the biometric path of the integration tests
      // again, against a stack whose functions run from their bundles in Lambda-like processes.
      ...common,
      displayName: 'bundles',
      testMatch: ['<rootDir>/test/bundles/**/*.test.ts', '<rootDir>/test/integration/sessions.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup-bundles.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown-bundles.ts',
      setupFiles: ['<rootDir>/test/support/bundles-environment.ts'],
    },
  ],
  testTimeout: 60_000,
  // Integration suites share one stack and its quota counters: they run one at a time so counts are exact.
  maxWorkers: 1,
};
