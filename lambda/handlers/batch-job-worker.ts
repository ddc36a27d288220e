import { NotImplementedYet } from '#api-model/errors';

export interface BatchJobTask {
  task: 'process-request';
  job: { JobId: string; JobType: 'SPEAKER_ENROLLMENT' | 'FRAUDSTER_REGISTRATION' };
  request: { RequestId: string };
}

/**
 * A task of the batch job state machine. The state machine, its fan-out and its failure path are in place; the
 * enrollment and registration work itself arrives with the batch job operations, and until then every request
 * fails with a message saying so (which the state machine records per request).
 */
export function handler(event: BatchJobTask): Promise<never> {
  return Promise.reject(
    new NotImplementedYet(
      event.job.JobType === 'FRAUDSTER_REGISTRATION' ? 'StartFraudsterRegistrationJob' : 'StartSpeakerEnrollmentJob',
    ),
  );
}
