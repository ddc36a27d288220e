import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { JobReference } from '#api-model/job';
import type { ServiceConfig } from '#config';
import { ENV } from '#environment';
import { currentCorrelationId, tracer } from '#observability';
import type { ReEncryptionRuns, ReEncryptionTarget } from '#ports/encryption';
import type { JobRuns } from '#ports/jobs';

/**
 * Runs of the service's state machines (batch jobs, domain re-encryption), started on one Step Functions client
 * per process. An execution's name makes its start idempotent: the same name with the same input is the same
 * execution. Every run is given the correlation id of the request that starts it (its `correlationId`, which
 * each task hands the worker); one started outside a request is correlated by its name.
 */
class StateMachineStarter {
  private readonly client: SFNClient;

  constructor(config: Pick<ServiceConfig, 'region' | 'endpoints'>) {
    this.client = tracer.captureAWSv3Client(new SFNClient({ region: config.region, endpoint: config.endpoints.stepFunctions }));
  }

  /** `setting` names the variable that gives `stateMachineArn`, for the function whose configuration lacks it. */
  async start(stateMachineArn: string | undefined, setting: string, name: string, input: object): Promise<void> {
    if (!stateMachineArn) throw new Error(`${setting} is not set for this function.`);
    const correlated = { ...input, correlationId: currentCorrelationId() ?? name };
    await this.client.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(correlated) }));
  }
}

type ExecutionsConfig = Pick<ServiceConfig, 'region' | 'endpoints' | 'batchJobStateMachineArn' | 'reEncryptionStateMachineArn'>;

/** Starts the batch job state machine for a job. The execution is named after the job, so a job runs once. */
export class JobExecutions implements JobRuns {
  constructor(
    private readonly starter: StateMachineStarter,
    private readonly config: ExecutionsConfig,
  ) {}

  start(job: JobReference): Promise<void> {
    const input = { job: { domainId: job.domainId, jobId: job.jobId, jobType: job.jobType } };
    return this.starter.start(this.config.batchJobStateMachineArn, ENV.stateMachines.batchJobs, job.jobId, input);
  }
}

/** Starts the re-encryption state machine for a domain whose key changed (lib/constructs/domain-re-encryption.ts). */
export class ReEncryptionExecutions implements ReEncryptionRuns {
  constructor(
    private readonly starter: StateMachineStarter,
    private readonly config: ExecutionsConfig,
  ) {}

  start(target: ReEncryptionTarget, name: string): Promise<void> {
    const input = {
      domainId: target.domainId,
      kmsKeyId: target.kmsKeyId,
      position: { phase: 'voiceprints', pass: 1, found: 0, done: false },
    };
    return this.starter.start(this.config.reEncryptionStateMachineArn, ENV.stateMachines.reEncryption, name, input);
  }
}

/** Both, on one client. */
export function openExecutions(config: ExecutionsConfig) {
  const starter = new StateMachineStarter(config);
  return { jobExecutions: new JobExecutions(starter, config), reEncryptions: new ReEncryptionExecutions(starter, config) };
}
