import { CfnOutput, Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { BatchJobs, grantJobRoleUse } from './constructs/batch-jobs';
import { grantDomainKeyUse } from './constructs/domain-keys';
import { DomainReEncryption } from './constructs/domain-re-encryption';
import { ExpirySweep } from './constructs/expiry-sweep';
import { ServiceFunction } from './constructs/service-function';
import { ServiceTables } from './constructs/service-tables';
import { LAYER_MODEL_DIR, SpeechModelLayer } from './constructs/speech-model-layer';
import { VoiceIdApi } from './constructs/voice-id-api';

export interface VoiceIdStackProps extends StackProps {
  /**
   * The processor of every function, and the ONNX Runtime build the speech model layer carries (only that one).
   * @default 'arm64' (Graviton: cheaper per GB-second, and the smaller ONNX Runtime build)
   */
  architecture?: 'arm64' | 'x86_64';
}

/** The whole service in one stack: the API, its tables, batch jobs, domain re-encryption and the daily expiry sweep. */
export class VoiceIdStack extends Stack {
  readonly api: VoiceIdApi;
  readonly batchJobs: BatchJobs;

  constructor(scope: Construct, id: string, props: VoiceIdStackProps = {}) {
    super(scope, id, props);
    const architecture = props.architecture === 'x86_64' ? Architecture.X86_64 : Architecture.ARM_64;

    const serviceKey = new Key(this, 'ServiceDataKey', {
      description: 'Encrypts the Voice ID service tables and secrets of this deployment',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
    });
    const tables = new ServiceTables(this, 'Tables', { key: serviceKey });
    const tokenSecret = new Secret(this, 'PaginationTokenSecret', {
      description: 'Seals the NextToken of list operations',
      encryptionKey: serviceKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const environment = {
      ...tables.environment(),
      VOICE_ID_ACCOUNT_ID: this.account,
      TOKEN_SECRET_ARN: tokenSecret.secretArn,
      SPEAKER_MODEL_DIR: LAYER_MODEL_DIR,
    };
    // Every function loads the operation context, and with it the speech pipeline's native modules.
    const layers = [new SpeechModelLayer(this, 'SpeechModel', { architecture })];
    // Audit events go to the account's default bus, where Voice ID sent its own (README "Audit events").
    const auditBus = EventBus.fromEventBusName(this, 'DefaultEventBus', 'default');

    const worker = new ServiceFunction(this, 'BatchJobWorker', {
      handler: 'batch-job-worker',
      architecture,
      environment,
      layers,
      // One full vCPU for speech detection and embedding; a batch of 10 requests takes about a minute.
      memorySize: 1769,
      timeout: Duration.minutes(15),
    });
    tables.grantJobWorkerAccess(worker);
    // Seals new voiceprints, and opens a watchlist's to check callers against it.
    grantDomainKeyUse(worker, { check: false, encrypt: true, decrypt: true });
    grantJobRoleUse(worker);
    // Reports jobs that end.
    auditBus.grantPutEventsTo(worker);
    const batchJobs = new BatchJobs(this, 'BatchJobs', { worker });
    this.batchJobs = batchJobs;
    // The worker also re-encrypts a domain's voiceprints and session speech when UpdateDomain changes its key
    // (opening them with the old key, sealing them under the new one: the grants above).
    tables.grantReEncryptionAccess(worker);
    const reEncryption = new DomainReEncryption(this, 'DomainReEncryption', { worker });

    const apiFunction = new ServiceFunction(this, 'ApiFunction', {
      handler: 'api',
      architecture,
      environment: {
        ...environment,
        BATCH_JOB_STATE_MACHINE_ARN: batchJobs.stateMachine.stateMachineArn,
        REENCRYPTION_STATE_MACHINE_ARN: reEncryption.stateMachine.stateMachineArn,
      },
      layers,
    });
    tables.grantApiAccess(apiFunction);
    tokenSecret.grantRead(apiFunction);
    // Checks a domain's key, seals voiceprints and session state under it, and opens them to score.
    grantDomainKeyUse(apiFunction, { check: true, encrypt: true, decrypt: true });
    batchJobs.stateMachine.grantStartExecution(apiFunction);
    reEncryption.stateMachine.grantStartExecution(apiFunction);
    auditBus.grantPutEventsTo(apiFunction);
    this.api = new VoiceIdApi(this, 'VoiceIdApi', { handler: apiFunction });

    const sweeper = new ServiceFunction(this, 'ExpirySweeper', {
      handler: 'expiry-sweeper',
      architecture,
      environment,
      layers,
      // It mostly waits on DynamoDB: 112 MiB at its peak (README "Measured"); 0.3 vCPU reads its scan pages.
      memorySize: 512,
      timeout: Duration.minutes(15),
    });
    tables.grantSweeperAccess(sweeper);
    // Reports the jobs it ends (those whose execution was lost).
    auditBus.grantPutEventsTo(sweeper);
    new ExpirySweep(this, 'ExpirySweep', { sweeper });

    new CfnOutput(this, 'VoiceIdEndpoint', {
      description: 'Give this to SDKs as endpoint_url / --endpoint-url',
      value: this.api.restApi.url,
    });

    this.suppressJustifiedFindings();
  }

  /** cdk-nag AwsSolutions findings this design accepts, each with its reason. */
  private suppressJustifiedFindings(): void {
    const managedPolicy = (name: string) => `AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}]`;
    const wildcard = (finding: string) => `AwsSolutions::AwsSolutions-IAM5[${finding}]`;
    const acknowledged = [
      {
        id: managedPolicy('AWSLambdaBasicExecutionRole'),
        reason: 'The AWS-managed minimum for a Lambda function to write its own logs.',
      },
      {
        id: managedPolicy('AmazonAPIGatewayPushToCloudWatchLogs'),
        reason: 'The AWS-managed role API Gateway needs to write access and execution logs.',
      },
      {
        id: wildcard('Action::kms:GenerateDataKey*'),
        reason: 'CDK grant on the one service key (a single resource ARN) for the encrypted tables and secret.',
      },
      {
        id: wildcard('Action::kms:ReEncrypt*'),
        reason: 'CDK grant on the one service key (a single resource ARN) for the encrypted tables.',
      },
      {
        id: wildcard('Resource::*'),
        reason: 'X-Ray (PutTraceSegments) and Step Functions log delivery accept no resource-level permissions.',
      },
      {
        id: wildcard('Resource::<BatchJobWorker091A5A20.Arn>:*'),
        reason: 'Step Functions may invoke any version of our own worker function, and only that function.',
      },
      {
        id: wildcard('Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*'),
        reason:
          "Each batch job names its own DataAccessRoleArn, unknown at deploy time; the role's trust policy decides, per domain (sts:ExternalId), whether this worker may use it.",
      },
      ...this.batchJobs.childExecutionFindings().map((finding) => ({
        id: wildcard(finding),
        reason: "The Distributed Map starts and manages its own child executions, and only this state machine's.",
      })),
      {
        id: wildcard('Resource::<ExpirySweeper81EA7002.Arn>:*'),
        reason: 'The scheduler may invoke any version of our own sweeper function, and only that function.',
      },
      {
        id: wildcard('Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*'),
        reason:
          "Each domain names its own customer key, unknown at deploy time; data-key use is limited by the condition on Voice ID's encryption context (this deployment's domain ARNs).",
      },
      {
        id: 'AwsSolutions-APIG3',
        reason: 'WAF is a per-organisation choice with its own cost; every method already requires SigV4 (IAM) auth.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason: 'Callers are AWS principals signing with SigV4 (as with Voice ID), not Cognito users.',
      },
      {
        id: 'AwsSolutions-SMG4',
        reason: 'The pagination secret only seals NextTokens (24 h lifetime); rotating it would only invalidate open pages.',
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'Functions pin NODEJS_22_X, the newest runtime the team has tested the bundle on.',
      },
    ];
    for (const rule of acknowledged) Validations.of(this).acknowledge(rule);
  }
}
