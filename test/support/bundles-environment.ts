import { BUNDLES_PREFIX } from './global-setup-bundles.ts';
import type { TestStackDescription } from './test-stack.ts';

// Each suite of the bundles project talks to that project's stack: its description under the names the test
// support reads (test/support/clients.ts), in this suite's own copy of the environment.
for (const name of ['TEST_STACK_DESCRIPTION', 'TEST_ENDPOINTS', 'TEST_DATA_DIR']) {
  const value = process.env[`${BUNDLES_PREFIX}${name}`];
  if (value !== undefined) process.env[`VOICE_ID_${name}`] = value;
}

// And the stack's handler environment (credentials, region), which the integration project's suites inherit from
// their stack in Jest's own process, for the SDK clients of the suites' own service context.
const description = process.env.VOICE_ID_TEST_STACK_DESCRIPTION;
if (description) {
  const { handlerEnvironment } = JSON.parse(description) as TestStackDescription;
  for (const [name, value] of Object.entries(handlerEnvironment)) if (name !== 'NODE_OPTIONS') process.env[name] = value;
}
