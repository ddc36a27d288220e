import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Architecture, type CfnFunction, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { type DataRetention, retainedLogGroup } from './data-retention.ts';
import { SpeechModelLayer } from './speech-model-layer.ts';

export interface ServiceFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'handler'> {
  /** The file under lambda/handlers/, without extension. */
  handler: string;
  /** Its log group's retention and removal policy. */
  retention: DataRetention;
}

export const HANDLER_METADATA_KEY = 'voice-id:handler';

export const HANDLERS_DIR = path.join(__dirname, '..', '..', 'lambda', 'handlers');

/** The team's Lambda defaults in one place: Node 22 (on ARM unless told), bundled by the local esbuild, JSON logs, X-Ray. */
export class ServiceFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, { handler, environment, retention, ...props }: ServiceFunctionProps) {
    super(scope, id, {
      entry: path.join(HANDLERS_DIR, `${handler}.ts`),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 1024,
      timeout: Duration.seconds(29),
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup: retainedLogGroup(scope, `${id}Logs`, retention),
      environment: { POWERTOOLS_SERVICE_NAME: 'voice-id', NODE_OPTIONS: '--enable-source-maps', ...environment },
      bundling: {
        minify: true,
        sourceMap: true,
        // Stack traces need the mappings only; the sources themselves would triple the map's size.
        sourcesContent: false,
        format: OutputFormat.CJS,
        target: 'node22',
        forceDockerBundling: false,
        // ONNX Runtime and the models come from the SpeechModelLayer. The AWS SDK is bundled rather than taken from
        // the runtime, whose version is not ours to pin and changes under a deployed function: the bundle runs
        // exactly the SDK the tests ran (1.7 MB minified with it, 0.7 MB without: README "Deploying to AWS").
        externalModules: [...SpeechModelLayer.EXTERNAL_MODULES],
      },
      ...props,
    });
    // The embedded stack reads this to run the same handler in-process.
    (this.node.defaultChild as CfnFunction).addMetadata(HANDLER_METADATA_KEY, handler);
  }
}
