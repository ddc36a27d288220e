import { listJobsInput } from '#api-model/job';
import { listJobs } from '#rules/batch-jobs';
import { defineOperation, page } from './operation.ts';

export default defineOperation({
  name: 'ListSpeakerEnrollmentJobs',
  input: listJobsInput,
  route: {
    method: 'GET',
    path: '/domains/{DomainId}/speaker-enrollment-jobs',
    summary: 'List speaker enrollment jobs',
    query: { ...page, JobStatus: 'string' },
  },
  uses: ['domains', 'jobs', 'now', 'pageTokens'],
  run: (request, ctx) => listJobs(ctx, 'SPEAKER_ENROLLMENT', request),
});
