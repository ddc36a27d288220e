import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { fitCalibration } from '#biometrics/calibration';
import { loadConfig } from '#config';
import { LAYER_SCORE_CALIBRATION_FILE } from '#lib/constructs/speech-model-layer';
import { VoiceIdStack, type VoiceIdStackProps } from '#lib/voice-id-stack';
import { EVERY_PARAMETER } from '#test/support/stack-parameters';
import { GATEWAY_ERROR_TYPES } from '#transport/responses';
import { restRoutes } from '#transport/rest-routes';

function synthesize(props: VoiceIdStackProps = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new VoiceIdStack(app, 'VoiceId', { env: { account: '123456789012', region: 'eu-west-1' }, ...props });
  return { stack, template: Template.fromStack(stack) };
}

/** Acknowledged findings fail the synthesis of an app with cdk-nag's AwsSolutions pack (as bin/voice-id.ts has). */
function synthesizeChecked(props: VoiceIdStackProps = {}) {
  const checked = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  new VoiceIdStack(checked, 'VoiceId', { env: { account: '123456789012', region: 'eu-west-1' }, ...props });
  Validations.of(checked).addPlugins(new AwsSolutionsChecks(checked));
  checked.synth();
}

type Intrinsic = string | { Ref?: string; 'Fn::GetAtt'?: string[]; 'Fn::Join'?: [string, Intrinsic[]] };

/** A CloudFormation value as readable text: `${Logical.Attr}` for GetAtt, `${Name}` for Ref, joins joined. */
function render(value: Intrinsic): string {
  if (typeof value === 'string') return value;
  if (value.Ref) return `\${${value.Ref}}`;
  if (value['Fn::GetAtt']) return `\${${value['Fn::GetAtt'].join('.')}}`;
  if (value['Fn::Join']) return value['Fn::Join'][1].map(render).join(value['Fn::Join'][0]);
  return JSON.stringify(value);
}

/** A resource of the synthesized template, with the properties these tests read. */
interface Resource<P = Record<string, unknown>> {
  Type: string;
  Properties: P;
  Metadata?: Record<string, unknown>;
}

const resources = <P = Record<string, unknown>>(template: Template, type: string, props?: object) =>
  template.findResources(type, props) as Record<string, Resource<P>>;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: Intrinsic | Intrinsic[];
  Condition?: unknown;
}

/** A CloudFormation value with every intrinsic in it rendered as text. */
function readable(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && ('Ref' in v || 'Fn::Join' in v || 'Fn::GetAtt' in v) ? render(v as Intrinsic) : v,
  );
}

/** Every statement granted to a role by its inline policies, as sorted readable text. */
function grantsOf(template: Template, roleLogicalId: string): string[] {
  const policies = resources<{ PolicyDocument: { Statement: Statement[] } }>(template, 'AWS::IAM::Policy', {
    Properties: { Roles: [{ Ref: roleLogicalId }] },
  });
  return Object.values(policies)
    .flatMap((policy) =>
      policy.Properties.PolicyDocument.Statement.map((s) =>
        JSON.stringify({
          Effect: s.Effect,
          Action: [s.Action].flat().sort(),
          Resource: [s.Resource].flat().map(render).sort(),
          ...(s.Condition === undefined ? {} : { Condition: readable(s.Condition) }),
        }),
      ),
    )
    .sort();
}

const grant = (Action: string[], Resource: string[], Condition?: unknown) =>
  JSON.stringify({
    Effect: 'Allow',
    Action: [...Action].sort(),
    Resource: [...Resource].sort(),
    ...(Condition === undefined ? {} : { Condition }),
  });

const XRAY = grant(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['*']);
const SERVICE_KEY = grant(
  ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
  ['${ServiceDataKey76B42533.Arn}'],
);
const TOKEN_SECRET = grant(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], ['${PaginationTokenSecretEAD9CC5C}']);
/** The data actions of CDK's grantReadData on a table; grantReadWriteData adds WRITE_ACTIONS. */
const READ_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:GetItem',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const WRITE_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
/** What CDK's grantReadWriteData gives on one table (its data, plus the stream actions it always adds). */
const readWrite = (table: string) => [
  grant([...READ_ACTIONS, ...WRITE_ACTIONS], [`\${${table}.Arn}`]),
  grant(['dynamodb:GetRecords', 'dynamodb:GetShardIterator'], [`\${${table}.Arn}`]),
];

/** The service's tables by logical id (a changed id would replace the table, and lose its data), with their keys. */
const TABLES: Record<string, [string, string?]> = {
  TablesDomainsB47CF921: ['domainId'],
  TablesWatchlists524162C0: ['domainId', 'watchlistId'],
  TablesSpeakersC635839E: ['domainId', 'itemId'],
  TablesFraudsters115CDB4A: ['domainId', 'itemId'],
  TablesQuotaCounters20202B3F: ['counterId'],
  TablesIdempotencyRecords26A55F14: ['key'],
  TablesVoiceprints4259AD3E: ['domainId', 'ownerId'],
  TablesSessions486350CB: ['domainId', 'itemId'],
  TablesBatchJobs36C23255: ['domainId', 'itemId'],
};
/** What CDK's grantReadData gives on one table. */
const readOnly = (table: string) => [
  grant(READ_ACTIONS, [`\${${table}.Arn}`]),
  grant(['dynamodb:GetRecords', 'dynamodb:GetShardIterator'], [`\${${table}.Arn}`]),
];
const DOMAIN_KEYS = grant(['kms:GenerateDataKey', 'kms:Decrypt'], ['arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*'], {
  StringLike: { 'kms:EncryptionContext:aws:voiceid:domain:arn': 'arn:aws:voiceid:${AWS::Region}:${AWS::AccountId}:domain/*' },
});
const STATE_MACHINE = '${BatchJobsStateMachine4C5CFAD9}';
const RE_ENCRYPTION_STATE_MACHINE = '${DomainReEncryptionStateMachine4BED3A7C}';
/** What the worker and a state machine's role get from CDK for X-Ray and log delivery. */
const LOG_DELIVERY = grant(
  [
    'logs:CreateLogDelivery',
    'logs:GetLogDelivery',
    'logs:UpdateLogDelivery',
    'logs:DeleteLogDelivery',
    'logs:ListLogDeliveries',
    'logs:PutResourcePolicy',
    'logs:DescribeResourcePolicies',
    'logs:DescribeLogGroups',
  ],
  ['*'],
);
const STATE_MACHINE_XRAY = grant(
  ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
  ['*'],
);
const INVOKE_WORKER = grant(['lambda:InvokeFunction'], ['${BatchJobWorker091A5A20.Arn}', '${BatchJobWorker091A5A20.Arn}:*']);
/** Audit events, on the default bus only. */
const AUDIT_EVENTS = grant(['events:PutEvents'], ['arn:${AWS::Partition}:events:eu-west-1:123456789012:event-bus/default']);
const CHILD_EXECUTIONS =
  'arn:${AWS::Partition}:states:eu-west-1:123456789012:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"BatchJobsStateMachine4C5CFAD9"}]}]}';

const LAMBDA_BASIC_EXECUTION = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']],
};
const assumedByLambda = {
  Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
  Version: '2012-10-17',
};

describe('VoiceIdStack', () => {
  const { stack, template } = synthesize();

  it('puts SigV4 (IAM) authorization on every API method', () => {
    const methods = resources<{ AuthorizationType: string }>(template, 'AWS::ApiGateway::Method');
    expect(Object.keys(methods)).toHaveLength(restRoutes.length + 1);
    for (const method of Object.values(methods)) expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      ResourceId: { 'Fn::GetAtt': [Match.anyValue(), 'RootResourceId'] },
    });
  });

  it("answers API Gateway's own refusals (signatures, unknown paths, bodies too large) in Voice ID's error shape", () => {
    const responses = resources<{
      ResponseType: string;
      ResponseParameters: Record<string, string>;
      ResponseTemplates: Record<string, string>;
    }>(template, 'AWS::ApiGateway::GatewayResponse');
    const byType = Object.fromEntries(Object.values(responses).map(({ Properties }) => [Properties.ResponseType, Properties]));
    expect(Object.keys(byType).sort()).toEqual(Object.keys(GATEWAY_ERROR_TYPES).sort());
    for (const [responseType, errorType] of Object.entries(GATEWAY_ERROR_TYPES)) {
      expect(byType[responseType].ResponseParameters).toEqual({ 'gatewayresponse.header.x-amzn-ErrorType': `'${errorType}'` });
      expect(byType[responseType].ResponseTemplates['application/json']).toBe(
        `{"__type":"${errorType}","message":$context.error.messageString,"Message":$context.error.messageString}`,
      );
    }
  });

  it('has exactly the service tables, with their keys, each encrypted with the service key, recoverable and expiring through TTL', () => {
    const tables = template.findResources('AWS::DynamoDB::GlobalTable');
    const key = (name: string | undefined, KeyType: string) => (name ? [{ AttributeName: name, KeyType }] : []);
    expect(tables).toEqual(
      Object.fromEntries(
        Object.entries(TABLES).map(([logicalId, [partition, sort]]) => [
          logicalId,
          {
            Type: 'AWS::DynamoDB::GlobalTable',
            Properties: {
              AttributeDefinitions: [partition, sort].flatMap((name) => (name ? [{ AttributeName: name, AttributeType: 'S' }] : [])),
              BillingMode: 'PAY_PER_REQUEST',
              KeySchema: [...key(partition, 'HASH'), ...key(sort, 'RANGE')],
              Replicas: [
                {
                  DeletionProtectionEnabled: true,
                  PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
                  Region: 'eu-west-1',
                  SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': ['ServiceDataKey76B42533', 'Arn'] } },
                },
              ],
              SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
              TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
            },
            UpdateReplacePolicy: 'Retain',
            DeletionPolicy: 'Retain',
          },
        ]),
      ),
    );
    template.resourcePropertiesCountIs('AWS::KMS::Key', { EnableKeyRotation: true }, 1);
    template.resourceCountIs('AWS::KMS::Key', 1);
  });

  it('runs every function on Node 22 with its handler recorded for the embedded stack, each with its own role', () => {
    const functions = resources<{ Runtime: string; Role: Intrinsic }>(template, 'AWS::Lambda::Function');
    expect(
      Object.fromEntries(
        Object.entries(functions).map(([id, fn]) => [
          id,
          [fn.Metadata?.['voice-id:handler'], fn.Properties.Runtime, render(fn.Properties.Role)],
        ]),
      ),
    ).toEqual({
      ApiFunctionCE271BD4: ['api', 'nodejs22.x', '${ApiFunctionServiceRole52B9747B.Arn}'],
      BatchJobWorker091A5A20: ['batch-job-worker', 'nodejs22.x', '${BatchJobWorkerServiceRoleE08D1694.Arn}'],
      ExpirySweeper81EA7002: ['expiry-sweeper', 'nodejs22.x', '${ExpirySweeperServiceRole622491F6.Arn}'],
    });
  });

  describe('IAM: each role has exactly its grants, so a new or wider one fails here', () => {
    it('has exactly these roles, each assumable only by its service', () => {
      type Trust = { Statement: { Principal: { Service: string }; Condition?: unknown }[] };
      const roles = resources<{ AssumeRolePolicyDocument: Trust; ManagedPolicyArns?: Intrinsic[] }>(template, 'AWS::IAM::Role');
      const trust = Object.fromEntries(
        Object.entries(roles).map(([id, role]) => [
          id,
          {
            principals: role.Properties.AssumeRolePolicyDocument.Statement.map((s) => s.Principal.Service),
            managed: (role.Properties.ManagedPolicyArns ?? []).map(render),
          },
        ]),
      );
      const basic = [render(LAMBDA_BASIC_EXECUTION as Intrinsic)];
      expect(trust).toEqual({
        ApiFunctionServiceRole52B9747B: { principals: ['lambda.amazonaws.com'], managed: basic },
        BatchJobWorkerServiceRoleE08D1694: { principals: ['lambda.amazonaws.com'], managed: basic },
        ExpirySweeperServiceRole622491F6: { principals: ['lambda.amazonaws.com'], managed: basic },
        VoiceIdApiCloudWatchRoleAA9C4248: {
          principals: ['apigateway.amazonaws.com'],
          managed: ['arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
        },
        BatchJobsStateMachineRoleF8EB1643: { principals: ['states.amazonaws.com'], managed: [] },
        DomainReEncryptionStateMachineRole68381C53: { principals: ['states.amazonaws.com'], managed: [] },
        SchedulerRoleForTarget24a641D5E68267: { principals: ['scheduler.amazonaws.com'], managed: [] },
      });
      for (const id of ['ApiFunctionServiceRole52B9747B', 'BatchJobWorkerServiceRoleE08D1694', 'ExpirySweeperServiceRole622491F6']) {
        expect(roles[id].Properties.AssumeRolePolicyDocument).toEqual(assumedByLambda);
      }
      // Step Functions and the scheduler may assume their roles only on behalf of this account and its own resources.
      expect(readable(roles.BatchJobsStateMachineRoleF8EB1643.Properties.AssumeRolePolicyDocument.Statement[0].Condition)).toEqual({
        ArnLike: { 'aws:SourceArn': 'arn:${AWS::Partition}:states:eu-west-1:123456789012:stateMachine:*' },
        StringEquals: { 'aws:SourceAccount': '123456789012' },
      });
      expect(readable(roles.DomainReEncryptionStateMachineRole68381C53.Properties.AssumeRolePolicyDocument.Statement[0].Condition)).toEqual(
        readable(roles.BatchJobsStateMachineRoleF8EB1643.Properties.AssumeRolePolicyDocument.Statement[0].Condition),
      );
      expect(readable(roles.SchedulerRoleForTarget24a641D5E68267.Properties.AssumeRolePolicyDocument.Statement[0].Condition)).toEqual({
        StringEquals: {
          'aws:SourceAccount': '123456789012',
          'aws:SourceArn': 'arn:${AWS::Partition}:scheduler:eu-west-1:123456789012:schedule-group/default',
        },
      });
      expect(Object.keys(template.findResources('AWS::IAM::Policy')).sort()).toEqual([
        'ApiFunctionServiceRoleDefaultPolicy20A32B8D',
        'BatchJobWorkerServiceRoleDefaultPolicyF1AEB75D',
        'BatchJobsStateMachineDistributedMapPolicyEAA29FD8',
        'BatchJobsStateMachineRoleDefaultPolicy8D1C11C1',
        'DomainReEncryptionStateMachineRoleDefaultPolicy08ABBF7C',
        'ExpirySweeperServiceRoleDefaultPolicy6FEB7322',
        'SchedulerRoleForTarget24a641DefaultPolicy4A8540F7',
      ]);
      template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
      template.resourceCountIs('AWS::IAM::User', 0);
    });

    it('grants the API function its tables, the service key, the pagination secret, X-Ray, customer keys only for Voice ID domains, and audit events on the default bus', () => {
      const customerKeys = 'arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/*';
      expect(grantsOf(template, 'ApiFunctionServiceRole52B9747B')).toEqual(
        [
          XRAY,
          SERVICE_KEY,
          TOKEN_SECRET,
          ...Object.keys(TABLES).flatMap(readWrite),
          grant(['kms:DescribeKey'], [customerKeys]),
          DOMAIN_KEYS,
          grant(['states:StartExecution'], [STATE_MACHINE]),
          grant(['states:StartExecution'], [RE_ENCRYPTION_STATE_MACHINE]),
          AUDIT_EVENTS,
        ].sort(),
      );
    });

    it("grants the batch job worker the tables of jobs and enrollment, re-encryption's writes, domain keys only for Voice ID domains, and job roles of this account", () => {
      expect(grantsOf(template, 'BatchJobWorkerServiceRoleE08D1694')).toEqual(
        [
          XRAY,
          SERVICE_KEY,
          // grantReadData's share of the service key, beside grantReadWriteData's.
          grant(['kms:Decrypt', 'kms:DescribeKey'], ['${ServiceDataKey76B42533.Arn}']),
          ...['TablesDomainsB47CF921', 'TablesWatchlists524162C0'].flatMap(readOnly),
          ...[
            'TablesBatchJobs36C23255',
            'TablesSpeakersC635839E',
            'TablesFraudsters115CDB4A',
            'TablesVoiceprints4259AD3E',
            'TablesQuotaCounters20202B3F',
          ].flatMap(readWrite),
          // Re-encryption: session speech re-sealed in place, and the run's end recorded on the domain.
          grant(['dynamodb:Query', 'dynamodb:UpdateItem'], ['${TablesSessions486350CB.Arn}']),
          grant(['dynamodb:PutItem'], ['${TablesDomainsB47CF921.Arn}']),
          DOMAIN_KEYS,
          // Only the roles of the deployment's prefix (dataAccessRolePrefix, by default voice-id-).
          grant(['sts:AssumeRole'], ['arn:${AWS::Partition}:iam::${AWS::AccountId}:role/voice-id-*']),
          AUDIT_EVENTS,
        ].sort(),
      );
    });

    it('grants the expiry sweeper every table but the ClientToken records, the service key, X-Ray and audit events (no pagination secret: it lists nothing)', () => {
      const swept = Object.keys(TABLES).filter((id) => id !== 'TablesIdempotencyRecords26A55F14');
      expect(grantsOf(template, 'ExpirySweeperServiceRole622491F6')).toEqual(
        [XRAY, SERVICE_KEY, AUDIT_EVENTS, ...swept.flatMap(readWrite)].sort(),
      );
    });

    it('lets the state machine invoke only the worker (any version), run its own child executions, deliver its logs and trace', () => {
      expect(grantsOf(template, 'BatchJobsStateMachineRoleF8EB1643')).toEqual(
        [
          INVOKE_WORKER,
          LOG_DELIVERY,
          STATE_MACHINE_XRAY,
          // The Distributed Map runs each batch as a child execution of this state machine, and only of it.
          grant(['states:StartExecution'], [STATE_MACHINE]),
          grant(['states:DescribeExecution', 'states:StopExecution'], [`${CHILD_EXECUTIONS}:*`]),
          grant(['states:RedriveExecution'], [`${CHILD_EXECUTIONS}/*:*`]),
        ].sort(),
      );
    });

    it('lets the re-encryption state machine invoke only the worker (any version), deliver its logs and trace', () => {
      expect(grantsOf(template, 'DomainReEncryptionStateMachineRole68381C53')).toEqual(
        [INVOKE_WORKER, LOG_DELIVERY, STATE_MACHINE_XRAY].sort(),
      );
    });

    it('lets the scheduler invoke only the sweeper (any version), and put what it could not deliver in its dead-letter queue', () => {
      expect(grantsOf(template, 'SchedulerRoleForTarget24a641D5E68267')).toEqual([
        grant(['lambda:InvokeFunction'], ['${ExpirySweeper81EA7002.Arn}', '${ExpirySweeper81EA7002.Arn}:*']),
        grant(['sqs:SendMessage'], ['${ExpirySweepDeadLetters45783946.Arn}']),
      ]);
    });

    it('lets only API Gateway invoke the API function, and nothing invoke the others directly', () => {
      const permissions = Object.values(
        resources<{ FunctionName: Intrinsic; Principal: string; Action: string }>(template, 'AWS::Lambda::Permission'),
      );
      expect(
        new Set(permissions.map((p) => `${render(p.Properties.FunctionName)} ${p.Properties.Principal} ${p.Properties.Action}`)),
      ).toEqual(new Set(['${ApiFunctionCE271BD4.Arn} apigateway.amazonaws.com lambda:InvokeFunction']));
    });
  });

  it('has the batch job and re-encryption state machines and a daily expiry schedule', () => {
    expect(Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).sort()).toEqual([
      'BatchJobsStateMachine4C5CFAD9',
      'DomainReEncryptionStateMachine4BED3A7C',
    ]);
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 day)',
      Target: { Arn: { 'Fn::GetAtt': ['ExpirySweeper81EA7002', 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 } },
    });
  });

  it("hands every worker task its run's correlation id (into the Distributed Map's batches too), and has each wait out throttling", () => {
    type State = {
      Type: string;
      Parameters?: Record<string, unknown>;
      Retry?: { ErrorEquals: string[]; MaxAttempts: number }[];
      ItemSelector?: Record<string, unknown>;
      ItemProcessor?: { States: Record<string, State> };
    };
    const states = (all: Record<string, State>): [string, State][] =>
      Object.entries(all).flatMap(([name, state]) => [
        [name, state] as [string, State],
        ...(state.ItemProcessor ? states(state.ItemProcessor.States) : []),
      ]);
    const definitions = Object.values(resources<{ DefinitionString: Intrinsic }>(template, 'AWS::StepFunctions::StateMachine')).map(
      (machine) => JSON.parse(render(machine.Properties.DefinitionString)) as { States: Record<string, State> },
    );
    const all = definitions.flatMap((definition) => states(definition.States));
    const tasks = all.filter(([, state]) => state.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual([
      'Finish',
      'Prepare',
      'ProcessBatch',
      'ReEncryptPage',
      'RecordFailure',
      'RecordReEncryptionFailure',
    ]);
    for (const [name, task] of tasks) {
      expect({ name, correlationId: task.Parameters!['correlationId.$'] }).toEqual({ name, correlationId: '$.correlationId' });
      // Before any States.ALL retrier, which would otherwise spend its few attempts on throttles.
      expect({ name, retriers: task.Retry!.map((r) => `${r.ErrorEquals.join()} ${r.MaxAttempts}`).slice(0, 2) }).toEqual({
        name,
        retriers: [expect.stringMatching(/^Lambda\.ClientExecutionTimeoutException,.* 6$/), 'Lambda.TooManyRequestsException 20'],
      });
    }
    expect(all.find(([name]) => name === 'ProcessBatches')![1].ItemSelector).toMatchObject({ 'correlationId.$': '$.correlationId' });
  });

  describe('data on cdk destroy', () => {
    const policies = (t: Template, type: string) =>
      Object.values(t.findResources(type)).map((r) => `${r.DeletionPolicy as string}/${r.UpdateReplacePolicy as string}`);
    const STATEFUL = [
      'AWS::DynamoDB::GlobalTable',
      'AWS::KMS::Key',
      'AWS::SecretsManager::Secret',
      'AWS::Logs::LogGroup',
      'AWS::SQS::Queue',
    ];

    it('keeps the tables (deletion-protected), the service key, the secret, the logs (a year) and the dead letters by default', () => {
      for (const type of STATEFUL)
        expect({ type, policies: new Set(policies(template, type)) }).toEqual({ type, policies: new Set(['Retain/Retain']) });
      const logGroups = Object.values(resources<{ RetentionInDays: number }>(template, 'AWS::Logs::LogGroup'));
      // One per function, the API's access logs, one per state machine.
      expect(logGroups.map((g) => g.Properties.RetentionInDays)).toEqual(Array(6).fill(365));
    });

    it('deletes them all with removalPolicy DESTROY, lifting deletion protection but keeping point-in-time recovery', () => {
      const { template: throwaway } = synthesize(EVERY_PARAMETER);
      for (const type of STATEFUL)
        expect({ type, policies: new Set(policies(throwaway, type)) }).toEqual({ type, policies: new Set(['Delete/Delete']) });
      const replicas = Object.values(
        resources<{ Replicas: { DeletionProtectionEnabled: boolean; PointInTimeRecoverySpecification: unknown }[] }>(
          throwaway,
          'AWS::DynamoDB::GlobalTable',
        ),
      ).flatMap((table) => table.Properties.Replicas);
      expect(replicas).toHaveLength(Object.keys(TABLES).length);
      for (const replica of replicas) {
        expect(replica).toMatchObject({
          DeletionProtectionEnabled: false,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        });
      }
      expect(
        new Set(
          Object.values(resources<{ RetentionInDays: number }>(throwaway, 'AWS::Logs::LogGroup')).map((g) => g.Properties.RetentionInDays),
        ),
      ).toEqual(new Set([90]));
    });
  });

  describe('parameters', () => {
    it("carries an operator's score calibration to every function, and refuses at synth one they would refuse", () => {
      const folder = mkdtempSync(path.join(tmpdir(), 'calibration-'));
      const file = path.join(folder, 'ours.json');
      const margins = Array.from({ length: 2000 }, (_, i) => i / 10_000);
      writeFileSync(file, JSON.stringify(fitCalibration('resemblyzer-ge2e', margins, ['our calls'])));
      const { template } = synthesize({ scoreCalibrationFile: file });
      const variables = Object.values(template.findResources('AWS::Lambda::Function')).map(
        (fn) => (fn.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables.SCORE_CALIBRATION_FILE,
      );
      expect(variables).toEqual([LAYER_SCORE_CALIBRATION_FILE, LAYER_SCORE_CALIBRATION_FILE, LAYER_SCORE_CALIBRATION_FILE]);
      writeFileSync(file, JSON.stringify({ x90: 0.8 }));
      expect(() => synthesize({ scoreCalibrationFile: file })).toThrow(/not a calibration written by npm run calibrate/);
    });

    type FunctionProperties = {
      MemorySize: number;
      ReservedConcurrentExecutions?: number;
      Environment: { Variables: Record<string, unknown> };
    };
    const functions = (t: Template) =>
      Object.fromEntries(
        Object.values(resources<FunctionProperties>(t, 'AWS::Lambda::Function')).map((fn) => [
          fn.Metadata?.['voice-id:handler'] as string,
          {
            memory: fn.Properties.MemorySize,
            reserved: fn.Properties.ReservedConcurrentExecutions,
            limits: Object.fromEntries(
              Object.entries(fn.Properties.Environment.Variables).filter(([name]) => /^(QUOTA_|SPEAKER_EXPIRY_DAYS)/.test(name)),
            ),
          },
        ]),
      );
    const mapConcurrency = (t: Template) =>
      Object.values(resources<{ DefinitionString: Intrinsic }>(t, 'AWS::StepFunctions::StateMachine')).flatMap((machine) =>
        [...render(machine.Properties.DefinitionString).matchAll(/"MaxConcurrency":(\d+)/g)].map((match) => Number(match[1])),
      );

    it('defaults to no reserved concurrency, five batches at once, and the service default quotas and expiry', () => {
      expect(functions(template)).toEqual({
        api: { memory: 1024, reserved: undefined, limits: {} },
        'batch-job-worker': { memory: 1769, reserved: undefined, limits: {} },
        'expiry-sweeper': { memory: 512, reserved: undefined, limits: {} },
      });
      expect(mapConcurrency(template)).toEqual([5]);
    });

    it("applies each one: memory per function, the API's reserved concurrency, the map's concurrency, quotas and expiry for every function", () => {
      const { template: tuned } = synthesize(EVERY_PARAMETER);
      const tunedFunctions = functions(tuned);
      const { limits } = tunedFunctions.api;
      expect(tunedFunctions).toEqual({
        api: { memory: 2048, reserved: 50, limits },
        'batch-job-worker': { memory: 3008, reserved: undefined, limits },
        'expiry-sweeper': { memory: 256, reserved: undefined, limits },
      });
      expect(mapConcurrency(tuned)).toEqual([40]);
      // As the service reads its environment (lambda/config.ts): every quota and the expiry arrive.
      const apiEnvironment = Object.values(resources<FunctionProperties>(tuned, 'AWS::Lambda::Function')).find(
        (fn) => fn.Metadata?.['voice-id:handler'] === 'api',
      )!.Properties.Environment.Variables;
      const config = loadConfig({ AWS_REGION: 'eu-west-1', ...(readable(apiEnvironment) as Record<string, string>) });
      expect(config.quotas).toEqual(EVERY_PARAMETER.quotas);
      expect(config.speakerExpiryMs).toBe(EVERY_PARAMETER.speakerExpiryDays! * 24 * 3600 * 1000);
      expect(config.dataAccessRolePrefix).toBe(EVERY_PARAMETER.dataAccessRolePrefix);
      expect(config.domainKmsKeys).toEqual(EVERY_PARAMETER.domainKmsKeys);
    });

    it("bounds the worker's sts:AssumeRole to the roles of dataAccessRolePrefix, the bound its functions check too", () => {
      const assumable = (t: Template) =>
        Object.values(resources<{ PolicyDocument: { Statement: { Action: unknown; Resource: Intrinsic }[] } }>(t, 'AWS::IAM::Policy'))
          .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
          .filter((statement) => statement.Action === 'sts:AssumeRole')
          .map((statement) => render(statement.Resource));
      const bounded = synthesize({ dataAccessRolePrefix: 'contact-centre/voice-id-' }).template;
      expect(assumable(bounded)).toEqual(['arn:${AWS::Partition}:iam::${AWS::AccountId}:role/contact-centre/voice-id-*']);
      expect(assumable(template)).toEqual(['arn:${AWS::Partition}:iam::${AWS::AccountId}:role/voice-id-*']);
      const prefixes = Object.values(resources<FunctionProperties>(bounded, 'AWS::Lambda::Function')).map(
        (fn) => fn.Properties.Environment.Variables.DATA_ACCESS_ROLE_PREFIX,
      );
      expect(prefixes).toEqual(['contact-centre/voice-id-', 'contact-centre/voice-id-', 'contact-centre/voice-id-']);
      // Without an allow-list the functions are given none: any key the service may use.
      const keyLists = Object.values(resources<FunctionProperties>(template, 'AWS::Lambda::Function')).map(
        (fn) => fn.Properties.Environment.Variables.DOMAIN_KMS_KEYS,
      );
      expect(keyLists).toEqual([undefined, undefined, undefined]);
    });
  });

  describe('alarms', () => {
    type AlarmProperties = {
      MetricName?: string;
      Namespace?: string;
      Dimensions?: { Name: string; Value: Intrinsic }[];
      Metrics?: { Expression?: string; MetricStat?: { Metric: { MetricName: string } } }[];
      Threshold: number;
      ComparisonOperator: string;
      TreatMissingData: string;
      AlarmActions?: Intrinsic[];
    };
    const alarms = (t: Template) => Object.values(resources<AlarmProperties>(t, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties);
    const watched = (alarm: AlarmProperties) =>
      alarm.Metrics
        ? alarm.Metrics.map((m) => m.Expression ?? m.MetricStat!.Metric.MetricName).join(' ')
        : `${alarm.Namespace}/${alarm.MetricName} ${alarm.Dimensions!.map((d) => render(d.Value)).join(' ')}`;

    it("watches every function's errors and throttles, the state machines' unsuccessful executions, API 5XX and the sweep's dead letters", () => {
      const fn = (id: string) => [`AWS/Lambda/Errors \${${id}}`, `AWS/Lambda/Throttles \${${id}}`];
      expect(alarms(template).map(watched).sort()).toEqual(
        [
          ...fn('ApiFunctionCE271BD4'),
          ...fn('BatchJobWorker091A5A20'),
          ...fn('ExpirySweeper81EA7002'),
          'failed + timedOut + aborted ExecutionsFailed ExecutionsTimedOut ExecutionsAborted',
          'failed + timedOut + aborted ExecutionsFailed ExecutionsTimedOut ExecutionsAborted',
          'AWS/ApiGateway/5XXError VoiceId-api ${VoiceIdApiDeploymentStageprod8E5DE394}',
          'AWS/SQS/ApproximateNumberOfMessagesVisible ${ExpirySweepDeadLetters45783946.QueueName}',
        ].sort(),
      );
      for (const alarm of alarms(template)) {
        expect(alarm).toMatchObject({
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        });
        expect(alarm.AlarmActions).toBeUndefined();
      }
      template.resourceCountIs('AWS::SNS::Topic', 0);
    });

    it('sends every alarm to an existing topic', () => {
      const topicArn = 'arn:aws:sns:eu-west-1:123456789012:on-call';
      const { template: alerted } = synthesize({ alarmDestination: { topicArn } });
      expect(new Set(alarms(alerted).map((alarm) => JSON.stringify(alarm.AlarmActions)))).toEqual(new Set([JSON.stringify([topicArn])]));
      alerted.resourceCountIs('AWS::SNS::Topic', 0);
    });

    it('or to a topic of its own, encrypted with a key CloudWatch may publish with, that mails an address', () => {
      const { template: alerted } = synthesize({ alarmDestination: { email: 'ops@example.com' } });
      const [topicId] = Object.keys(alerted.findResources('AWS::SNS::Topic'));
      expect(new Set(alarms(alerted).map((alarm) => JSON.stringify(alarm.AlarmActions)))).toEqual(
        new Set([JSON.stringify([{ Ref: topicId }])]),
      );
      alerted.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlarmsTopicKey'), 'Arn'] },
      });
      alerted.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
        TopicArn: { Ref: topicId },
      });
      alerted.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            {
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Resource: '*',
            },
          ]),
        },
      });
    });

    it("keeps the sweep's dead letters encrypted, over TLS only, for 14 days", () => {
      template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
      });
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        Target: { DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ExpirySweepDeadLetters45783946', 'Arn'] } } },
      });
    });
  });

  describe('cdk-nag AwsSolutions', () => {
    /** Every finding, acknowledged or not: the pack with its acknowledgement check switched off. */
    function allFindings() {
      const pack = new AwsSolutionsChecks(stack);
      (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
      return pack.validateScope(stack).violations;
    }
    const acknowledged = () =>
      stack.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.keys(entry.data as object))
        .map((id) => id.replace(/^(AwsSolutions|Annotation)::/, ''));

    it('passes on synth: every finding is acknowledged in code', () => {
      expect(() => synthesizeChecked()).not.toThrow();
    });

    it('passes on synth with every parameter set, an alarm topic of its own and DESTROY', () => {
      expect(() => synthesizeChecked({ ...EVERY_PARAMETER, alarmDestination: { email: 'ops@example.com' } })).not.toThrow();
    });

    it('has exactly the acknowledged findings: none unacknowledged, and no acknowledgement left without its finding', () => {
      expect(
        allFindings()
          .map((finding) => finding.ruleName)
          .sort(),
      ).toEqual([...acknowledged()].sort());
    });

    it('finds exactly these resources for each acknowledged finding', () => {
      const apiMethods = Object.keys(template.findResources('AWS::ApiGateway::Method'));
      const found = Object.fromEntries(
        allFindings().map((finding) => [finding.ruleName, finding.violatingResources.map((r) => r.constructPath).sort()]),
      );
      const fns = ['ApiFunction', 'BatchJobWorker', 'ExpirySweeper'];
      expect({ ...found, 'AwsSolutions-COG4': found['AwsSolutions-COG4'].length }).toEqual({
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]': fns.map(
          (f) => `VoiceId/${f}/ServiceRole/Resource`,
        ),
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]': [
          'VoiceId/VoiceIdApi/Api/CloudWatchRole/Resource',
        ],
        'AwsSolutions-IAM5[Resource::*]': [
          'VoiceId/ApiFunction/ServiceRole/DefaultPolicy/Resource',
          'VoiceId/BatchJobWorker/ServiceRole/DefaultPolicy/Resource',
          'VoiceId/BatchJobs/StateMachine/Role/DefaultPolicy/Resource',
          'VoiceId/DomainReEncryption/StateMachine/Role/DefaultPolicy/Resource',
          'VoiceId/ExpirySweeper/ServiceRole/DefaultPolicy/Resource',
        ],
        'AwsSolutions-IAM5[Action::kms:ReEncrypt*]': fns.map((f) => `VoiceId/${f}/ServiceRole/DefaultPolicy/Resource`),
        'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]': fns.map((f) => `VoiceId/${f}/ServiceRole/DefaultPolicy/Resource`),
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*]': [
          'VoiceId/ApiFunction/ServiceRole/DefaultPolicy/Resource',
          'VoiceId/BatchJobWorker/ServiceRole/DefaultPolicy/Resource',
        ],
        'AwsSolutions-IAM5[Resource::<BatchJobWorker091A5A20.Arn>:*]': [
          'VoiceId/BatchJobs/StateMachine/Role/DefaultPolicy/Resource',
          'VoiceId/DomainReEncryption/StateMachine/Role/DefaultPolicy/Resource',
        ],
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/voice-id-*]': [
          'VoiceId/BatchJobWorker/ServiceRole/DefaultPolicy/Resource',
        ],
        [`AwsSolutions-IAM5[Resource::${CHILD_EXECUTIONS.replace('${AWS::Partition}', '<AWS::Partition>')}:*]`]: [
          'VoiceId/BatchJobs/StateMachine/DistributedMapPolicy/Resource',
        ],
        [`AwsSolutions-IAM5[Resource::${CHILD_EXECUTIONS.replace('${AWS::Partition}', '<AWS::Partition>')}/*:*]`]: [
          'VoiceId/BatchJobs/StateMachine/DistributedMapPolicy/Resource',
        ],
        'AwsSolutions-IAM5[Resource::<ExpirySweeper81EA7002.Arn>:*]': ['VoiceId/SchedulerRoleForTarget-24a641/DefaultPolicy/Resource'],
        'AwsSolutions-L1': fns.map((f) => `VoiceId/${f}/Resource`),
        'AwsSolutions-SMG4': ['VoiceId/PaginationTokenSecret/Resource'],
        'AwsSolutions-SQS3': ['VoiceId/ExpirySweep/DeadLetters/Resource'],
        'AwsSolutions-APIG3': ['VoiceId/VoiceIdApi/Api/DeploymentStage.prod/Resource'],
        // Cognito authorization on every API method: all of them use SigV4 instead.
        'AwsSolutions-COG4': apiMethods.length,
      });
    });
  });
});
