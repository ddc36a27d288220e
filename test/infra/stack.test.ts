import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { restRoutes } from '../../lambda/transport/rest-routes';
import { VoiceIdStack } from '../../lib/voice-id-stack';

function synthesize() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new VoiceIdStack(app, 'VoiceId', { env: { account: '123456789012', region: 'eu-west-1' } });
  return { stack, template: Template.fromStack(stack) };
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
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement.map((s) =>
      JSON.stringify({
        Effect: s.Effect,
        Action: [s.Action].flat().sort(),
        Resource: [s.Resource].flat().map(render).sort(),
        ...(s.Condition === undefined ? {} : { Condition: readable(s.Condition) }),
      }),
    ))
    .sort();
}

const grant = (Action: string[], Resource: string[], Condition?: unknown) =>
  JSON.stringify({ Effect: 'Allow', Action: [...Action].sort(), Resource: [...Resource].sort(), ...(Condition === undefined ? {} : { Condition }) });

const XRAY = grant(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['*']);
const SERVICE_KEY = grant(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'], ['${ServiceDataKey76B42533.Arn}']);
const TOKEN_SECRET = grant(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], ['${PaginationTokenSecretEAD9CC5C}']);
/** What CDK's grantReadWriteData gives on one table (its data, plus the stream actions it always adds). */
const readWrite = (table: string) => [
  grant(
    [
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:GetItem',
      'dynamodb:Scan',
      'dynamodb:ConditionCheckItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:DescribeTable',
    ],
    [`\${${table}.Arn}`],
  ),
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
  grant(['dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'], [`\${${table}.Arn}`]),
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
const STATE_MACHINE_XRAY = grant(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], ['*']);
const INVOKE_WORKER = grant(['lambda:InvokeFunction'], ['${BatchJobWorker091A5A20.Arn}', '${BatchJobWorker091A5A20.Arn}:*']);
/** Audit events, on the default bus only. */
const AUDIT_EVENTS = grant(['events:PutEvents'], ['arn:${AWS::Partition}:events:eu-west-1:123456789012:event-bus/default']);
const CHILD_EXECUTIONS = 'arn:${AWS::Partition}:states:eu-west-1:123456789012:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"BatchJobsStateMachine4C5CFAD9"}]}]}';

const LAMBDA_BASIC_EXECUTION = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']],
};
const assumedByLambda = { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }], Version: '2012-10-17' };

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
        Object.entries(functions).map(([id, fn]) => [id, [fn.Metadata?.['voice-id:handler'], fn.Properties.Runtime, render(fn.Properties.Role)]]),
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
          ...['TablesBatchJobs36C23255', 'TablesSpeakersC635839E', 'TablesFraudsters115CDB4A', 'TablesVoiceprints4259AD3E', 'TablesQuotaCounters20202B3F'].flatMap(readWrite),
          // Re-encryption: session speech re-sealed in place, and the run's end recorded on the domain.
          grant(['dynamodb:Query', 'dynamodb:UpdateItem'], ['${TablesSessions486350CB.Arn}']),
          grant(['dynamodb:PutItem'], ['${TablesDomainsB47CF921.Arn}']),
          DOMAIN_KEYS,
          grant(['sts:AssumeRole'], ['arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*']),
          AUDIT_EVENTS,
        ].sort(),
      );
    });

    it('grants the expiry sweeper every table but the ClientToken records, the service key, X-Ray and audit events (no pagination secret: it lists nothing)', () => {
      const swept = Object.keys(TABLES).filter((id) => id !== 'TablesIdempotencyRecords26A55F14');
      expect(grantsOf(template, 'ExpirySweeperServiceRole622491F6')).toEqual([XRAY, SERVICE_KEY, AUDIT_EVENTS, ...swept.flatMap(readWrite)].sort());
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
      expect(grantsOf(template, 'DomainReEncryptionStateMachineRole68381C53')).toEqual([INVOKE_WORKER, LOG_DELIVERY, STATE_MACHINE_XRAY].sort());
    });

    it('lets the scheduler invoke only the sweeper (any version)', () => {
      expect(grantsOf(template, 'SchedulerRoleForTarget24a641D5E68267')).toEqual([
        grant(['lambda:InvokeFunction'], ['${ExpirySweeper81EA7002.Arn}', '${ExpirySweeper81EA7002.Arn}:*']),
      ]);
    });

    it('lets only API Gateway invoke the API function, and nothing invoke the others directly', () => {
      const permissions = Object.values(resources<{ FunctionName: Intrinsic; Principal: string; Action: string }>(template, 'AWS::Lambda::Permission'));
      expect(new Set(permissions.map((p) => `${render(p.Properties.FunctionName)} ${p.Properties.Principal} ${p.Properties.Action}`))).toEqual(
        new Set(['${ApiFunctionCE271BD4.Arn} apigateway.amazonaws.com lambda:InvokeFunction']),
      );
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
      const checked = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      new VoiceIdStack(checked, 'VoiceId', { env: { account: '123456789012', region: 'eu-west-1' } });
      Validations.of(checked).addPlugins(new AwsSolutionsChecks(checked));
      expect(() => checked.synth()).not.toThrow();
    });

    it('has exactly the acknowledged findings: none unacknowledged, and no acknowledgement left without its finding', () => {
      expect(allFindings().map((finding) => finding.ruleName).sort()).toEqual([...acknowledged()].sort());
    });

    it('finds exactly these resources for each acknowledged finding', () => {
      const apiMethods = Object.keys(template.findResources('AWS::ApiGateway::Method'));
      const found = Object.fromEntries(
        allFindings().map((finding) => [finding.ruleName, finding.violatingResources.map((r) => r.constructPath).sort()]),
      );
      const fns = ['ApiFunction', 'BatchJobWorker', 'ExpirySweeper'];
      expect({ ...found, 'AwsSolutions-COG4': found['AwsSolutions-COG4'].length }).toEqual({
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]': fns.map((f) => `VoiceId/${f}/ServiceRole/Resource`),
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
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]': ['VoiceId/BatchJobWorker/ServiceRole/DefaultPolicy/Resource'],
        [`AwsSolutions-IAM5[Resource::${CHILD_EXECUTIONS.replace('${AWS::Partition}', '<AWS::Partition>')}:*]`]: ['VoiceId/BatchJobs/StateMachine/DistributedMapPolicy/Resource'],
        [`AwsSolutions-IAM5[Resource::${CHILD_EXECUTIONS.replace('${AWS::Partition}', '<AWS::Partition>')}/*:*]`]: ['VoiceId/BatchJobs/StateMachine/DistributedMapPolicy/Resource'],
        'AwsSolutions-IAM5[Resource::<ExpirySweeper81EA7002.Arn>:*]': ['VoiceId/SchedulerRoleForTarget-24a641/DefaultPolicy/Resource'],
        'AwsSolutions-L1': fns.map((f) => `VoiceId/${f}/Resource`),
        'AwsSolutions-SMG4': ['VoiceId/PaginationTokenSecret/Resource'],
        'AwsSolutions-APIG3': ['VoiceId/VoiceIdApi/Api/DeploymentStage.prod/Resource'],
        // Cognito authorization on every API method: all of them use SigV4 instead.
        'AwsSolutions-COG4': apiMethods.length,
      });
    });
  });
});
