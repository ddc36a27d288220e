import { describeJobInput } from '#api-model/job';
import { describeJob } from './batch-jobs.ts';
import { defineOperation } from './operation.ts';

export default defineOperation({
  name: 'DescribeFraudsterRegistrationJob',
  input: describeJobInput,
  route: { method: 'GET', path: '/domains/{DomainId}/fraudster-registration-jobs/{JobId}', summary: 'Describe a fraudster registration job' },
  run: ({ DomainId, JobId }, ctx) => describeJob(ctx, 'FRAUDSTER_REGISTRATION', DomainId, JobId),
});
