/**
 * The layers of the service, as code (README "Architecture"). A request reads top to bottom:
 *   handlers -> transport -> operations -> store | biometrics -> api-model
 * and lib/ (infrastructure) reaches the service only through its public edge, lambda/transport.
 * `npm test` runs this check; an import that crosses a layer fails it.
 */
const layer = (name) => `^lambda/${name}/`;

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle makes load order matter and layers meaningless.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'service-stays-in-lambda',
      severity: 'error',
      comment: 'The service code is deployed alone: it may not import the CDK app, commands or tests.',
      from: { path: '^lambda/' },
      to: { path: '^(lib|bin|test|events)/' },
    },
    {
      name: 'api-model-is-the-bottom',
      severity: 'error',
      comment: "The API's data model (records, validation, ids, errors) depends on nothing else of the service.",
      from: { path: layer('api-model') },
      to: { path: '^lambda/', pathNot: layer('api-model') },
    },
    {
      name: 'biometrics-is-self-contained',
      severity: 'error',
      comment: 'Audio and speaker models know nothing of the API: callers map their errors to Voice ID errors.',
      from: { path: layer('biometrics') },
      to: { path: '^lambda/', pathNot: [layer('biometrics'), '^lambda/lazy\\.ts$'] },
    },
    {
      name: 'store-below-operations',
      severity: 'error',
      comment: 'Stores persist records; they do not call operations, transports, handlers or biometrics.',
      from: { path: layer('store') },
      to: { path: [layer('operations'), layer('transport'), layer('handlers'), layer('biometrics')] },
    },
    {
      name: 'store-internals-stay-inside',
      severity: 'error',
      comment: "DynamoDB details (clients, transactions, key layout) are the stores' own; others use the store classes.",
      from: { pathNot: layer('store') },
      to: { path: ['^lambda/store/dynamodb\\.ts$', '^lambda/store/transactions\\.ts$'] },
    },
    {
      name: 'operations-know-no-transport',
      severity: 'error',
      comment: 'An operation takes request members and returns response members: no HTTP, no handler.',
      from: { path: layer('operations') },
      to: { path: [layer('transport'), layer('handlers')] },
    },
    {
      name: 'transport-uses-operations-not-stores',
      severity: 'error',
      comment: 'The transports dispatch to operations; they never reach a store or a model directly.',
      from: { path: layer('transport') },
      to: { path: [layer('store'), layer('biometrics'), layer('handlers')] },
    },
    {
      name: 'handlers-are-entry-points',
      severity: 'error',
      comment: 'Nothing imports a handler: each is a Lambda entry point (the embedded stack loads them by path).',
      from: {},
      to: { path: layer('handlers') },
    },
    {
      name: 'infrastructure-through-the-edge',
      severity: 'error',
      comment:
        'lib/ builds API Gateway and the embedded gateway from the transport layer, and from nothing deeper; the one ' +
        "exception checks an operator's score calibration at synth with the reader the functions use.",
      from: { path: '^lib/' },
      to: { path: '^lambda/', pathNot: [layer('transport'), '^lambda/biometrics/calibration\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out|model|\\.data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.json'] },
  },
};
