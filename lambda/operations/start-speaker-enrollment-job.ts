import { startJobAudit } from '#api-model/audit-event';
import { enrollmentConfigInput, startJobInput } from '#api-model/job';
import { enrollmentConfig, startJob } from '#rules/batch-jobs';
import { defineOperation } from './operation.ts';

/** Enrolls the callers a manifest in S3 names from their recordings, as a job (lambda/workflows/batch-job-tasks.ts). */
export default defineOperation({
  name: 'StartSpeakerEnrollmentJob',
  input: startJobInput.extend({ EnrollmentConfig: enrollmentConfigInput }),
  route: { method: 'POST', path: '/domains/{DomainId}/speaker-enrollment-jobs', summary: 'Start a speaker enrollment job' },
  audit: startJobAudit('SPEAKER_ENROLLMENT'),
  uses: ['accountId', 'dataAccessRolePrefix', 'domains', 'idempotency', 'jobExecutions', 'jobs', 'now', 'watchlists'],
  run: (request, ctx) =>
    startJob(ctx, 'SPEAKER_ENROLLMENT', request, (defaultWatchlistId) => enrollmentConfig(request.EnrollmentConfig, defaultWatchlistId)),
});
