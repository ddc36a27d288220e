import { Stack } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  type IResource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestValidator,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { GATEWAY_ERROR_TYPES } from '#transport/responses';
import { restRoutes, WIRE_PROTOCOL_PATH } from '#transport/rest-routes';
import { type DataRetention, retainedLogGroup } from './data-retention.ts';

/**
 * API Gateway in front of the API function: `POST /` for the Voice ID wire protocol and the REST route table.
 * Every method requires IAM (SigV4) authorization.
 */
export class VoiceIdApi extends Construct {
  readonly restApi: RestApi;

  constructor(scope: Construct, id: string, props: { handler: IFunction; retention: DataRetention }) {
    super(scope, id);
    const accessLogs = retainedLogGroup(this, 'AccessLogs', props.retention);
    this.restApi = new RestApi(this, 'Api', {
      // API Gateway's metrics are keyed by name: the stack's own keeps its alarms off other APIs of the account.
      restApiName: `${Stack.of(this).stackName}-api`,
      description: 'Voice ID compatible API: the AWS JSON 1.0 wire protocol at POST / and REST routes.',
      cloudWatchRole: true,
      deployOptions: {
        tracingEnabled: true,
        loggingLevel: MethodLoggingLevel.INFO,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
      },
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
    });
    // No body models are attached: bodies are validated by the operations, with Voice ID's messages.
    const validator = new RequestValidator(this, 'Validator', {
      restApi: this.restApi,
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    const integration = new LambdaIntegration(props.handler);
    const methodOptions = { requestValidator: validator };

    this.restApi.root.addMethod('POST', integration, methodOptions);
    for (const route of restRoutes) {
      resourceFor(this.restApi.root, route.path).addMethod(route.method, integration, methodOptions);
    }
    // API Gateway's own refusals (a signature it refuses, a path outside every route, a body too large) in Voice
    // ID's error shape, with API Gateway's status and message, as the function answers its errors.
    for (const [responseType, errorType] of Object.entries(GATEWAY_ERROR_TYPES)) {
      this.restApi.addGatewayResponse(responseType, {
        type: ResponseType.of(responseType),
        responseHeaders: { 'x-amzn-ErrorType': `'${errorType}'` },
        templates: {
          'application/json': `{"__type":"${errorType}","message":$context.error.messageString,"Message":$context.error.messageString}`,
        },
      });
    }
  }
}

function resourceFor(root: IResource, path: string): IResource {
  if (path === WIRE_PROTOCOL_PATH) return root;
  return path
    .split('/')
    .filter(Boolean)
    .reduce((parent, part) => parent.getResource(part) ?? parent.addResource(part), root);
}
