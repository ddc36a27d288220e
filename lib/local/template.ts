import { App } from 'aws-cdk-lib';
import { HANDLER_METADATA_KEY } from '../constructs/service-function';
import { VoiceIdStack } from '../voice-id-stack';

/** The parts of the synthesized CloudFormation template the embedded stack needs. */
export interface LocalTemplate {
  tables: { logicalId: string; keySchema: unknown[]; attributeDefinitions: unknown[]; globalSecondaryIndexes?: unknown[] }[];
  routes: { method: string; path: string; functionId: string }[];
  functions: Record<string, { handler: string; environment: Record<string, unknown> }>;
  stateMachines: Record<string, { definition: unknown }>;
}

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> };

/**
 * Synthesizes the real CDK stack (without bundling) so that the embedded stack serves exactly the routes,
 * tables, functions and state machines a deployment would have: there is one source of truth.
 */
export function synthesizeTemplate(): LocalTemplate {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new VoiceIdStack(app, 'VoiceId', { env: { account: LOCAL_ACCOUNT_ID, region: LOCAL_REGION } });
  const resources: Record<string, Resource> = app.synth().getStackByName(stack.stackName).template.Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);

  return {
    tables: ofType('AWS::DynamoDB::GlobalTable').map(([logicalId, { Properties }]) => ({
      logicalId,
      keySchema: Properties.KeySchema,
      attributeDefinitions: Properties.AttributeDefinitions,
      globalSecondaryIndexes: Properties.GlobalSecondaryIndexes,
    })),
    routes: ofType('AWS::ApiGateway::Method').map(([, { Properties }]) => ({
      method: Properties.HttpMethod,
      path: resourcePath(resources, Properties.ResourceId),
      functionId: findGetAtt(Properties.Integration.Uri),
    })),
    functions: Object.fromEntries(
      ofType('AWS::Lambda::Function')
        .filter(([, resource]) => resource.Metadata?.[HANDLER_METADATA_KEY])
        .map(([logicalId, resource]) => [
          logicalId,
          {
            handler: resource.Metadata![HANDLER_METADATA_KEY] as string,
            environment: resource.Properties.Environment?.Variables ?? {},
          },
        ]),
    ),
    stateMachines: Object.fromEntries(
      ofType('AWS::StepFunctions::StateMachine').map(([logicalId, { Properties }]) => [
        logicalId,
        { definition: JSON.parse(joinToString(Properties.DefinitionString)) },
      ]),
    ),
  };
}

/** Walks API Gateway resources up to the root to rebuild a route's path. */
function resourcePath(resources: Record<string, Resource>, resourceId: any): string {
  if (resourceId['Fn::GetAtt']) return '/';
  const resource = resources[resourceId.Ref];
  const parent = resourcePath(resources, resource.Properties.ParentId);
  return `${parent === '/' ? '' : parent}/${resource.Properties.PathPart}`;
}

/** The logical id of the first `Fn::GetAtt` inside a value (the function behind an integration URI). */
function findGetAtt(value: any): string {
  if (value && typeof value === 'object') {
    if (value['Fn::GetAtt']) return value['Fn::GetAtt'][0];
    for (const member of Object.values(value)) {
      const found = findGetAtt(member);
      if (found) return found;
    }
  }
  return '';
}

/**
 * Resolves the `Fn::Join` of a state machine definition. References to functions become local ARNs that the
 * embedded Step Functions engine maps back to handlers.
 */
function joinToString(value: any): string {
  if (typeof value === 'string') return value;
  if (value['Fn::Join']) return value['Fn::Join'][1].map(joinToString).join(value['Fn::Join'][0]);
  if (value['Fn::GetAtt']) return localFunctionArn(value['Fn::GetAtt'][0]);
  if (value.Ref === 'AWS::Partition') return 'aws';
  if (value.Ref === 'AWS::Region') return LOCAL_REGION;
  if (value.Ref === 'AWS::AccountId') return LOCAL_ACCOUNT_ID;
  throw new Error(`The embedded stack cannot resolve ${JSON.stringify(value)} in a state machine definition.`);
}

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';

export const localFunctionArn = (logicalId: string) =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${logicalId}`;
