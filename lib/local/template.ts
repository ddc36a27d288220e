import * as path from 'node:path';
import { arch } from 'node:process';
import { App } from 'aws-cdk-lib';
import { z } from 'zod';
import { ENV } from '#environment';
import { HANDLER_METADATA_KEY } from '#lib/constructs/service-function';
import { VoiceIdStack, type VoiceIdStackProps } from '#lib/voice-id-stack';

/** A function as the cloud assembly holds it: its bundled code and its layers' contents, with its settings. */
export interface FunctionBundle {
  /** The code asset's directory: Lambda's /var/task. */
  code: string;
  /** The layers' asset directories, in order: Lambda unpacks them into /opt, a later one over an earlier one. */
  layers: string[];
  /** `module.export`, as the function's Handler property names it. */
  handler: string;
  memorySize: number;
  timeoutSeconds: number;
  architecture: 'arm64' | 'x86_64';
}

/** The parts of the synthesized CloudFormation template the embedded stack needs. */
export interface LocalTemplate {
  tables: {
    logicalId: string;
    keySchema: { AttributeName: string; KeyType: string }[];
    attributeDefinitions: unknown[];
    globalSecondaryIndexes?: unknown[];
    /** The attribute DynamoDB's Time to Live deletes items by, if it is on. */
    timeToLiveAttribute?: string;
  }[];
  routes: { method: string; path: string; functionId: string }[];
  functions: Record<string, { handler: string; environment: Record<string, unknown>; bundle?: FunctionBundle }>;
  stateMachines: Record<string, { definition: unknown }>;
}

const resourceSchema = z.object({
  Type: z.string(),
  Properties: z.record(z.string(), z.unknown()).default({}),
  Metadata: z.record(z.string(), z.unknown()).optional(),
});
type Resource = z.infer<typeof resourceSchema>;

// The intrinsic functions CDK writes into the properties the embedded stack reads.
const ref = z.object({ Ref: z.string() });
const getAtt = z.object({ 'Fn::GetAtt': z.array(z.string()).nonempty() });
const join = z.object({ 'Fn::Join': z.tuple([z.string(), z.array(z.unknown())]) });

const tableProperties = z.object({
  KeySchema: z.array(z.object({ AttributeName: z.string(), KeyType: z.string() })),
  AttributeDefinitions: z.array(z.unknown()),
  GlobalSecondaryIndexes: z.array(z.unknown()).optional(),
  TimeToLiveSpecification: z.object({ AttributeName: z.string(), Enabled: z.boolean() }).optional(),
});
const methodProperties = z.object({ HttpMethod: z.string(), ResourceId: z.unknown(), Integration: z.object({ Uri: z.unknown() }) });
const apiResourceProperties = z.object({ ParentId: z.unknown(), PathPart: z.string() });
const functionProperties = z.object({
  Environment: z.object({ Variables: z.record(z.string(), z.unknown()).optional() }).optional(),
  Handler: z.string(),
  Layers: z.array(ref).default([]),
  MemorySize: z.number().default(128),
  Timeout: z.number().default(3),
  Architectures: z.array(z.enum(['arm64', 'x86_64'])).default(['x86_64']),
});
/** Where CDK records a bundled asset's directory, relative to the cloud assembly, when asset metadata is on. */
const assetMetadata = z.object({ 'aws:asset:path': z.string() });
const stateMachineProperties = z.object({ DefinitionString: z.unknown() });

/**
 * Synthesizes the real CDK stack so that the embedded stack serves exactly the routes, tables, functions and state
 * machines a deployment would have: there is one source of truth. Without bundling by default (the handlers then
 * run from their sources); with `bundleInto`, a directory, the functions are bundled as for a deployment, for this
 * machine's architecture, into a cloud assembly there, and each function names its assets. The bound on batch
 * jobs' roles comes from the environment (localParameters).
 */
export function synthesizeTemplate({ bundleInto }: { bundleInto?: string } = {}): LocalTemplate {
  const app = bundleInto
    ? new App({ outdir: bundleInto, context: { 'aws:cdk:enable-asset-metadata': true } })
    : new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new VoiceIdStack(app, 'VoiceId', {
    env: { account: LOCAL_ACCOUNT_ID, region: LOCAL_REGION },
    ...(bundleInto ? { architecture: LOCAL_ARCHITECTURE } : {}),
    ...localParameters(process.env),
  });
  return readTemplate(app.synth().getStackByName(stack.stackName).template, bundleInto);
}

/**
 * The stack parameters `npm start` takes from its environment, by the name the functions read it by: the local
 * stack is synthesized with the bound on batch jobs' roles that is given (DATA_ACCESS_ROLE_PREFIX), in its worker's
 * policy and its functions' configuration, which checks it at start. DOMAIN_KMS_KEYS needs no synthesis: the
 * functions read it from the environment they inherit, as the template sets it only when it is given.
 */
function localParameters(env: NodeJS.ProcessEnv): Pick<VoiceIdStackProps, 'dataAccessRolePrefix'> {
  return { dataAccessRolePrefix: env[ENV.dataAccessRolePrefix] || undefined };
}

/**
 * The parts of a synthesized template the embedded stack needs; with `assemblyDir`, the cloud assembly it was
 * synthesized into with bundling and asset metadata (as `cdk synth -o` writes), each function names its assets.
 */
export function readTemplate(template: unknown, assemblyDir?: string): LocalTemplate {
  const { Resources } = z.object({ Resources: z.record(z.string(), resourceSchema) }).parse(template);
  const ofType = (type: string) => Object.entries(Resources).filter(([, resource]) => resource.Type === type);

  return {
    tables: ofType('AWS::DynamoDB::GlobalTable').map(([logicalId, { Properties }]) => {
      const table = tableProperties.parse(Properties);
      return {
        logicalId,
        keySchema: table.KeySchema,
        attributeDefinitions: table.AttributeDefinitions,
        globalSecondaryIndexes: table.GlobalSecondaryIndexes,
        timeToLiveAttribute: table.TimeToLiveSpecification?.Enabled ? table.TimeToLiveSpecification.AttributeName : undefined,
      };
    }),
    routes: ofType('AWS::ApiGateway::Method').map(([, { Properties }]) => {
      const method = methodProperties.parse(Properties);
      return {
        method: method.HttpMethod,
        path: resourcePath(Resources, method.ResourceId),
        functionId: findGetAtt(method.Integration.Uri),
      };
    }),
    functions: Object.fromEntries(
      ofType('AWS::Lambda::Function').flatMap(([logicalId, resource]) => {
        const handler = resource.Metadata?.[HANDLER_METADATA_KEY];
        if (typeof handler !== 'string' || !handler) return [];
        const properties = functionProperties.parse(resource.Properties);
        const environment = properties.Environment?.Variables ?? {};
        if (!assemblyDir) return [[logicalId, { handler, environment }]];
        const assetOf = (id: string) => path.join(assemblyDir, assetMetadata.parse(Resources[id].Metadata)['aws:asset:path']);
        const bundle: FunctionBundle = {
          code: assetOf(logicalId),
          layers: properties.Layers.map((layer) => assetOf(layer.Ref)),
          handler: properties.Handler,
          memorySize: properties.MemorySize,
          timeoutSeconds: properties.Timeout,
          architecture: properties.Architectures[0],
        };
        return [[logicalId, { handler, environment, bundle }]];
      }),
    ),
    stateMachines: Object.fromEntries(
      ofType('AWS::StepFunctions::StateMachine').map(([logicalId, { Properties }]) => [
        logicalId,
        { definition: JSON.parse(joinToString(stateMachineProperties.parse(Properties).DefinitionString)) as unknown },
      ]),
    ),
  };
}

/** Walks API Gateway resources up to the root (a `Fn::GetAtt` of the API's root resource) to rebuild a route's path. */
function resourcePath(resources: Record<string, Resource>, resourceId: unknown): string {
  if (getAtt.safeParse(resourceId).success) return '/';
  const { ParentId, PathPart } = apiResourceProperties.parse(resources[ref.parse(resourceId).Ref].Properties);
  const parent = resourcePath(resources, ParentId);
  return `${parent === '/' ? '' : parent}/${PathPart}`;
}

/** The logical id of the first `Fn::GetAtt` inside a value (the function behind an integration URI). */
function findGetAtt(value: unknown): string {
  if (value && typeof value === 'object') {
    const found = getAtt.safeParse(value);
    if (found.success) return found.data['Fn::GetAtt'][0];
    for (const member of Object.values(value)) {
      const nested = findGetAtt(member);
      if (nested) return nested;
    }
  }
  return '';
}

/**
 * Resolves the `Fn::Join` of a state machine definition. References to functions become local ARNs that the
 * embedded Step Functions engine maps back to handlers.
 */
function joinToString(value: unknown): string {
  if (typeof value === 'string') return value;
  const joined = join.safeParse(value);
  if (joined.success) {
    const [separator, parts] = joined.data['Fn::Join'];
    return parts.map(joinToString).join(separator);
  }
  const attribute = getAtt.safeParse(value);
  if (attribute.success) return localFunctionArn(attribute.data['Fn::GetAtt'][0]);
  const reference = ref.safeParse(value);
  if (reference.success && reference.data.Ref === 'AWS::Partition') return 'aws';
  if (reference.success && reference.data.Ref === 'AWS::Region') return LOCAL_REGION;
  if (reference.success && reference.data.Ref === 'AWS::AccountId') return LOCAL_ACCOUNT_ID;
  throw new Error(`The embedded stack cannot resolve ${JSON.stringify(value)} in a state machine definition.`);
}

export const LOCAL_REGION = 'us-east-1';
/** The Lambda architecture of this machine's processor, which bundles run on here. */
export const LOCAL_ARCHITECTURE = arch === 'arm64' ? 'arm64' : 'x86_64';
export const LOCAL_ACCOUNT_ID = '000000000000';

export const localFunctionArn = (logicalId: string) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${logicalId}`;

export const localStateMachineArn = (logicalId: string) => `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${logicalId}`;
