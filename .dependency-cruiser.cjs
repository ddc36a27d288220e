/**
 * The layers of the service, as code (README "Architecture"). A request reads top to bottom:
 *   handlers -> transport -> operations -> rules -> ports (store adapters behind them) | biometrics -> api-model
 * and background work reads handlers -> workflows -> rules -> ports. Each folder of lambda/ declares the
 * neighbours it may import; anything else of lambda/ is a crossing. lib/ (infrastructure) reaches the service
 * only through its public edge, lambda/transport, and the declarations it shares (environment names, tasks).
 * `npm test` runs this check; an import that crosses a layer fails it.
 */
/** A folder (`operations`) or a top-level module (`config.ts`) of lambda/, as a path pattern. */
const part = (name) => (name.endsWith('.ts') ? `^lambda/${name.replace('.', '\\.')}$` : `^lambda/${name}/`);

/** `name` may import itself and `neighbours` of lambda/, and nothing else of the service. */
const neighbours = (name, comment, allowed) => ({
  name: `${name.replace('.ts', '')}-neighbours`,
  severity: 'error',
  comment,
  from: { path: part(name) },
  to: { path: '^lambda/', pathNot: [part(name), ...allowed.map(part)] },
});

/** What rules may use, and with them the operations and workflows above them: the context's ports, never a store. */
const BELOW_RULES = ['context.ts', 'ports', 'api-model', 'biometrics', 'observability.ts'];

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
    neighbours('api-model', "The API's data model (records, validation, ids, errors) depends on nothing else of the service.", []),
    neighbours('biometrics', 'Audio and speaker models know nothing of the API: callers map their errors to Voice ID errors.', ['lazy.ts']),
    neighbours('ports', "The stores' interfaces, named by what the service may do: records and errors of the API model only.", [
      'api-model',
    ]),
    neighbours(
      'store',
      'The adapters behind the ports (DynamoDB, S3, KMS, Step Functions, EventBridge): they persist records and call no rule, operation or model.',
      ['ports', 'api-model', 'config.ts', 'environment.ts', 'observability.ts'],
    ),
    neighbours('context.ts', 'The context is ports and services: it names no adapter.', ['ports', 'biometrics', 'config.ts']),
    neighbours('composition.ts', 'The one place that picks the adapters behind the ports.', [
      'context.ts',
      'store',
      'biometrics',
      'config.ts',
      'lazy.ts',
    ]),
    neighbours('rules', "Rules shared by operations and workflows: they reach stores through the context's ports only.", BELOW_RULES),
    neighbours(
      'operations',
      'An operation takes request members and returns response members: no HTTP, no handler, no adapter, no workflow.',
      ['rules', ...BELOW_RULES],
    ),
    neighbours(
      'workflows',
      'Background work (batch jobs, re-encryption, expiry, erasure), run by the worker and sweeper handlers; it shares rules with the operations, never an operation.',
      ['rules', ...BELOW_RULES],
    ),
    neighbours('transport', 'The transports dispatch to operations; they never reach a store, a rule or a model directly.', [
      'operations',
      'context.ts',
      'api-model',
      'observability.ts',
    ]),
    neighbours(
      'connectors',
      'Phone-system connectors speak their protocol and reach the service through its public API only, as any client: no operation, rule or store (the audio library aside, for resampling).',
      ['observability.ts', 'biometrics'],
    ),
    {
      name: 'handlers-are-entry-points',
      severity: 'error',
      comment: 'Nothing imports a handler: each is a Lambda entry point (the embedded stack loads them by path).',
      from: {},
      to: { path: part('handlers') },
    },
    {
      name: 'infrastructure-through-the-edge',
      severity: 'error',
      comment:
        'lib/ builds API Gateway and the embedded gateway from the transport layer, runs the media gateway of the connectors, and reaches nothing deeper, besides ' +
        "the declarations it shares with the functions (their environment's names, the worker's tasks) and the " +
        "check of an operator's score calibration at synth with the reader the functions use.",
      from: { path: '^lib/' },
      to: {
        path: '^lambda/',
        pathNot: [
          part('transport'),
          part('connectors'),
          part('environment.ts'),
          '^lambda/workflows/worker-tasks\\.ts$',
          '^lambda/biometrics/calibration\\.ts$',
        ],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out|model|\\.data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
};
