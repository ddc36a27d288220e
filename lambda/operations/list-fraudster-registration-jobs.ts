import { listJobsInput } from '#api-model/job';
import { listJobs } from '#rules/batch-jobs';
import { defineOperation, page } from './operation.ts';

export default defineOperation({
  name: 'ListFraudsterRegistrationJobs',
  input: listJobsInput,
  route: {
    method: 'GET',
    path: '/domains/{DomainId}/fraudster-registration-jobs',
    summary: 'List fraudster registration jobs',
    query: { ...page, JobStatus: 'string' },
  },
  uses: ['domains', 'jobs', 'now', 'pageTokens'],
  run: (request, ctx) => listJobs(ctx, 'FRAUDSTER_REGISTRATION', request),
});
