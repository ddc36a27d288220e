import { describeJobInput } from '#api-model/job';
import { describeJob } from '#rules/batch-jobs';
import { defineOperation } from './operation.ts';

export default defineOperation({
  name: 'DescribeFraudsterRegistrationJob',
  input: describeJobInput,
  route: {
    method: 'GET',
    path: '/domains/{DomainId}/fraudster-registration-jobs/{JobId}',
    summary: 'Describe a fraudster registration job',
  },
  uses: ['domains', 'jobs'],
  run: ({ DomainId, JobId }, ctx) => describeJob(ctx, 'FRAUDSTER_REGISTRATION', DomainId, JobId),
});
