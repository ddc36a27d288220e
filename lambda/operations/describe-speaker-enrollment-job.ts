import { describeJobInput } from '#api-model/job';
import { describeJob } from '#rules/batch-jobs';
import { defineOperation } from './operation.ts';

export default defineOperation({
  name: 'DescribeSpeakerEnrollmentJob',
  input: describeJobInput,
  route: { method: 'GET', path: '/domains/{DomainId}/speaker-enrollment-jobs/{JobId}', summary: 'Describe a speaker enrollment job' },
  uses: ['domains', 'jobs'],
  run: ({ DomainId, JobId }, ctx) => describeJob(ctx, 'SPEAKER_ENROLLMENT', DomainId, JobId),
});
