import { startJobAudit } from '#api-model/audit-event';
import { registrationConfigInput, startJobInput } from '#api-model/job';
import { registrationConfig, startJob } from '#rules/batch-jobs';
import { defineOperation } from './operation.ts';

/** Registers the fraudsters of a manifest in S3 from their recordings, as a job (lambda/workflows/batch-job-tasks.ts). */
export default defineOperation({
  name: 'StartFraudsterRegistrationJob',
  input: startJobInput.extend({ RegistrationConfig: registrationConfigInput }),
  route: { method: 'POST', path: '/domains/{DomainId}/fraudster-registration-jobs', summary: 'Start a fraudster registration job' },
  audit: startJobAudit('FRAUDSTER_REGISTRATION'),
  uses: ['accountId', 'dataAccessRolePrefix', 'domains', 'idempotency', 'jobExecutions', 'jobs', 'now', 'watchlists'],
  run: (request, ctx) =>
    startJob(ctx, 'FRAUDSTER_REGISTRATION', request, (defaultWatchlistId) =>
      registrationConfig(request.RegistrationConfig, defaultWatchlistId),
    ),
});
