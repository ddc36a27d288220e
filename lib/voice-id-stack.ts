import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { readCalibrationFile } from '#biometrics/calibration';
import { ENV } from '#environment';
import { BatchJobs, grantJobRoleUse } from '#lib/constructs/batch-jobs';
import type { DataRetention } from '#lib/constructs/data-retention';
import { grantDomainKeyUse } from '#lib/constructs/domain-keys';
import { DomainReEncryption } from '#lib/constructs/domain-re-encryption';
import { ExpirySweep } from '#lib/constructs/expiry-sweep';
import { type AlarmDestination, OperationalAlarms } from '#lib/constructs/operational-alarms';
import { ServiceFunction } from '#lib/constructs/service-function';
import { ServiceTables } from '#lib/constructs/service-tables';
import { LAYER_MODEL_DIR, LAYER_SCORE_CALIBRATION_FILE, SpeechModelLayer } from '#lib/constructs/speech-model-layer';
import { VoiceIdApi } from '#lib/constructs/voice-id-api';

/** Limits the service enforces; unset, each is Voice ID's default (lambda/config.ts). */
export interface ServiceQuotas {
  domains?: number;
  speakersPerDomain?: number;
  watchlistsPerDomain?: number;
  fraudstersPerWatchlist?: number;
  /** Live sessions at once per domain. */
  sessionsPerDomain?: number;
  /** Requests in one speaker enrollment job's manifest. */
  speakersPerEnrollmentJob?: number;
  /** Requests in one fraudster registration job's manifest. */
  fraudstersPerRegistrationJob?: number;
}

/** What a batch job's DataAccessRoleArn must start with after `role/` unless the deployment says otherwise. */
const DEFAULT_DATA_ACCESS_ROLE_PREFIX = 'voice-id-';

/**
 * A deployment's parameters (README "Stack parameters": bin/voice-id.ts reads them from CDK context). Every one
 * is optional; the defaults fit an account with Lambda's smallest concurrency limit (10).
 */
export interface VoiceIdStackProps extends StackProps {
  /** MB for the API function. @default 1024 */
  apiMemorySize?: number;
  /** MB for the batch job worker; 1769 is one full vCPU, for speech detection and embedding. @default 1769 */
  batchJobWorkerMemorySize?: number;
  /** MB for the expiry sweeper. @default 512 */
  expirySweeperMemorySize?: number;
  /**
   * Concurrency reserved for the API function: a guaranteed share of the account, and a ceiling on the load it puts
   * on the tables and KMS. Unreserved by default, because Lambda refuses any reservation that leaves the account
   * fewer than its minimum of unreserved concurrency, so a reservation fails to deploy on small accounts.
   * @default unreserved
   */
  apiReservedConcurrency?: number;
  /**
   * Batches of a job processed at once (the Distributed Map's MaxConcurrency), each one worker invocation of 10
   * requests. Bounds a job's share of the account's concurrency and of the tables' writes: 5 leaves half of a
   * 10-concurrency account to the API; raise it where concurrency is plentiful (a 10,000-request job takes about
   * 1,000 batch-minutes).
   * @default 5
   */
  batchJobMaxConcurrency?: number;
  /** How long the functions', state machines' and API access logs are kept. @default RetentionDays.ONE_YEAR */
  logRetention?: RetentionDays;
  /** @default Voice ID's quotas */
  quotas?: ServiceQuotas;
  /** Days without enrollment or authentication after which a speaker expires. @default 1095 (Voice ID's three years) */
  speakerExpiryDays?: number;
  /**
   * What `cdk destroy` does with the tables, the service key, the pagination secret and the log groups. RETAIN
   * keeps them (and turns on the tables' deletion protection); DESTROY is for throwaway stacks only.
   * @default RemovalPolicy.RETAIN
   */
  removalPolicy?: RemovalPolicy.RETAIN | RemovalPolicy.DESTROY;
  /** Where alarms are sent. @default none: alarms show in CloudWatch only */
  alarmDestination?: AlarmDestination;
  /**
   * The processor of every function, and the ONNX Runtime build the speech model layer carries (only that one).
   * @default 'arm64' (Graviton: cheaper per GB-second, and the smaller ONNX Runtime build)
   */
  architecture?: 'arm64' | 'x86_64';
  /**
   * An operator's score calibration, the file `npm run calibrate` writes from their own calls: checked at synth,
   * carried in the speech model layer, and used by every function in place of the one shipped with the model.
   * @default the shipped calibration
   */
  scoreCalibrationFile?: string;
  /**
   * The roles batch jobs may use: what a DataAccessRoleArn must start with after `role/`, a path (`voice-id/`), a
   * name prefix (`voice-id-`) or both, in this account. It bounds the worker's sts:AssumeRole policy, and the
   * service refuses a job naming another role (AccessDeniedException), since it cannot check iam:PassRole as
   * Voice ID did (README "Security model").
   * @default 'voice-id-'
   */
  dataAccessRolePrefix?: string;
  /**
   * The KMS keys domains may be given: key ARNs, and alias names (`alias/voice-id/*` for every alias it begins).
   * CreateDomain and UpdateDomain refuse any other key with a ValidationException.
   * @default any key the service may describe and use
   */
  domainKmsKeys?: string[];
}

/** The whole service in one stack: the API, its tables, batch jobs, domain re-encryption and the daily expiry sweep. */
export class VoiceIdStack extends Stack {
  readonly api: VoiceIdApi;
  readonly batchJobs: BatchJobs;

  constructor(scope: Construct, id: string, props: VoiceIdStackProps = {}) {
    super(scope, id, props);
    const retention: DataRetention = {
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      logRetention: props.logRetention ?? RetentionDays.ONE_YEAR,
    };
    const architecture = props.architecture === 'x86_64' ? Architecture.X86_64 : Architecture.ARM_64;

    const serviceKey = new Key(this, 'ServiceDataKey', {
      description: 'Encrypts the Voice ID service tables and secrets of this deployment',
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy: retention.removalPolicy,
    });
    const tables = new ServiceTables(this, 'Tables', { key: serviceKey, retention });
    const tokenSecret = new Secret(this, 'PaginationTokenSecret', {
      description: 'Seals the NextToken of list operations',
      encryptionKey: serviceKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: retention.removalPolicy,
    });
    const dataAccessRolePrefix = props.dataAccessRolePrefix ?? DEFAULT_DATA_ACCESS_ROLE_PREFIX;
    const environment = {
      ...tables.environment(),
      [ENV.dataAccessRolePrefix]: dataAccessRolePrefix,
      ...(props.domainKmsKeys?.length ? { [ENV.domainKmsKeys]: props.domainKmsKeys.join(',') } : {}),
      [ENV.accountId]: this.account,
      [ENV.tokenSecretArn]: tokenSecret.secretArn,
      [ENV.speakerModel.directory]: LAYER_MODEL_DIR,
      ...Object.fromEntries(
        Object.entries(props.quotas ?? {}).map(([quota, limit]) => [ENV.quotas[quota as keyof ServiceQuotas], String(limit)]),
      ),
      ...(props.speakerExpiryDays === undefined ? {} : { [ENV.speakerExpiryDays]: String(props.speakerExpiryDays) }),
      ...(props.scoreCalibrationFile === undefined ? {} : { [ENV.scoreCalibrationFile]: LAYER_SCORE_CALIBRATION_FILE }),
    };
    // Every function loads the operation context, and with it the speech pipeline's native modules.
    // A calibration that the functions would refuse at their first request stops the synth instead.
    if (props.scoreCalibrationFile) readCalibrationFile(props.scoreCalibrationFile);
    const layers = [new SpeechModelLayer(this, 'SpeechModel', { architecture, scoreCalibrationFile: props.scoreCalibrationFile })];
    // Audit events go to the account's default bus, where Voice ID sent its own (README "Audit events").
    const auditBus = EventBus.fromEventBusName(this, 'DefaultEventBus', 'default');

    const worker = new ServiceFunction(this, 'BatchJobWorker', {
      handler: 'batch-job-worker',
      architecture,
      environment,
      layers,
      retention,
      // A batch of 10 requests takes about a minute on one full vCPU.
      memorySize: props.batchJobWorkerMemorySize ?? 1769,
      timeout: Duration.minutes(15),
    });
    tables.grantJobWorkerAccess(worker);
    // Seals new voiceprints, and opens a watchlist's to check callers against it.
    grantDomainKeyUse(worker, { check: false, encrypt: true, decrypt: true });
    grantJobRoleUse(worker, dataAccessRolePrefix);
    // Reports jobs that end.
    auditBus.grantPutEventsTo(worker);
    const batchJobs = new BatchJobs(this, 'BatchJobs', { worker, retention, maxConcurrency: props.batchJobMaxConcurrency ?? 5 });
    this.batchJobs = batchJobs;
    // The worker also re-encrypts a domain's voiceprints and session speech when UpdateDomain changes its key
    // (opening them with the old key, sealing them under the new one: the grants above).
    tables.grantReEncryptionAccess(worker);
    const reEncryption = new DomainReEncryption(this, 'DomainReEncryption', { worker, retention });

    const apiFunction = new ServiceFunction(this, 'ApiFunction', {
      handler: 'api',
      architecture,
      environment: {
        ...environment,
        [ENV.stateMachines.batchJobs]: batchJobs.stateMachine.stateMachineArn,
        [ENV.stateMachines.reEncryption]: reEncryption.stateMachine.stateMachineArn,
      },
      layers,
      retention,
      memorySize: props.apiMemorySize ?? 1024,
      reservedConcurrentExecutions: props.apiReservedConcurrency,
    });
    tables.grantApiAccess(apiFunction);
    tokenSecret.grantRead(apiFunction);
    // Checks a domain's key, seals voiceprints and session state under it, and opens them to score.
    grantDomainKeyUse(apiFunction, { check: true, encrypt: true, decrypt: true });
    batchJobs.stateMachine.grantStartExecution(apiFunction);
    reEncryption.stateMachine.grantStartExecution(apiFunction);
    auditBus.grantPutEventsTo(apiFunction);
    this.api = new VoiceIdApi(this, 'VoiceIdApi', { handler: apiFunction, retention });

    const sweeper = new ServiceFunction(this, 'ExpirySweeper', {
      handler: 'expiry-sweeper',
      architecture,
      environment,
      layers,
      retention,
      // It mostly waits on DynamoDB: 112 MiB at its peak (README "Measured"); 0.3 vCPU reads its scan pages.
      memorySize: props.expirySweeperMemorySize ?? 512,
      timeout: Duration.minutes(15),
    });
    tables.grantSweeperAccess(sweeper);
    // Reports the jobs it ends (those whose execution was lost).
    auditBus.grantPutEventsTo(sweeper);
    const expirySweep = new ExpirySweep(this, 'ExpirySweep', { sweeper, removalPolicy: retention.removalPolicy });

    new OperationalAlarms(this, 'Alarms', {
      functions: { ApiFunction: apiFunction, BatchJobWorker: worker, ExpirySweeper: sweeper },
      stateMachines: { BatchJobs: batchJobs.stateMachine, DomainReEncryption: reEncryption.stateMachine },
      api: this.api.restApi,
      deadLetterQueue: expirySweep.deadLetterQueue,
      destination: props.alarmDestination,
      removalPolicy: retention.removalPolicy,
    });

    new CfnOutput(this, 'VoiceIdEndpoint', {
      description: 'Give this to SDKs as endpoint_url / --endpoint-url',
      value: this.api.restApi.url,
    });

    this.suppressJustifiedFindings(dataAccessRolePrefix);
  }

  /** cdk-nag AwsSolutions findings this design accepts, each with its reason. */
  private suppressJustifiedFindings(jobRolePrefix: string): void {
    const managedPolicy = (name: string) =>
      `AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/${name}]`;
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
        id: wildcard(`Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/${jobRolePrefix}*`),
        reason:
          "Each batch job names its own DataAccessRoleArn, unknown at deploy time, among the roles of the deployment's prefix (dataAccessRolePrefix); the role's trust policy decides, per domain (sts:ExternalId), whether this worker may use it.",
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
        id: 'AwsSolutions-SQS3',
        reason:
          "It is a dead-letter queue, the expiry schedule's (EventBridge Scheduler's DeadLetterConfig); cdk-nag recognises only queues named in another queue's RedrivePolicy.",
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'Functions pin NODEJS_22_X, the newest runtime the team has tested the bundle on.',
      },
    ];
    for (const rule of acknowledged) Validations.of(this).acknowledge(rule);
  }
}
