import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ServiceConfig } from '#config';
import { tracer } from '#observability';
import type { JobReference } from '#api-model/job';


/** Starts the batch job state machine for a job. The execution is named after the job, so a job runs once. */
export class JobExecutions {
  private readonly client: SFNClient;

  constructor(private readonly config: Pick<ServiceConfig, 'region' | 'endpoints' | 'batchJobStateMachineArn'>) {
    this.client = tracer.captureAWSv3Client(new SFNClient({ region: config.region, endpoint: config.endpoints.stepFunctions }));
  }

  async start(job: JobReference): Promise<void> {
    const stateMachineArn = this.config.batchJobStateMachineArn;
    if (!stateMachineArn) throw new Error('BATCH_JOB_STATE_MACHINE_ARN is not set for this function.');
    await this.client.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: job.jobId,
        input: JSON.stringify({ job: { domainId: job.domainId, jobId: job.jobId, jobType: job.jobType } }),
      }),
    );
  }
}
