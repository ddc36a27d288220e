import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime, Tracing, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { retainedLogGroup, type DataRetention } from './data-retention';
import { SpeechModelLayer } from './speech-model-layer';

export interface ServiceFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'handler'> {
  /** The file under lambda/handlers/, without extension. */
  handler: string;
  /** Its log group's retention and removal policy. */
  retention: DataRetention;
}

export const HANDLER_METADATA_KEY = 'voice-id:handler';

export const HANDLERS_DIR = path.join(__dirname, '..', '..', 'lambda', 'handlers');

/** The team's Lambda defaults in one place: Node 22 on ARM, bundled by the local esbuild, JSON logs, X-Ray. */
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
        format: OutputFormat.CJS,
        target: 'node22',
        forceDockerBundling: false,
        // The SDK is in the runtime; ONNX Runtime and the models come from the SpeechModelLayer.
        externalModules: ['@aws-sdk/*', ...SpeechModelLayer.EXTERNAL_MODULES],
      },
      ...props,
    });
    // The embedded stack reads this to run the same handler in-process.
    (this.node.defaultChild as CfnFunction).addMetadata(HANDLER_METADATA_KEY, handler);
  }
}
