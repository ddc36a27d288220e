/** A Voice ID batch job's output file, as both job types write it (../shared/docs/voice-id-reference.md). */
export interface JobOutput {
  Errors?: { RequestId: string; ErrorCode: number; ErrorMessage: string }[];
  SuccessfulEnrollments?: { RequestId: string; CustomerSpeakerId: string; GeneratedSpeakerId: string; EnrollmentStatus: string }[];
  SuccessfulRegistrations?: {
    RequestId: string;
    GeneratedFraudsterId: string;
    RegistrationStatus: string;
    FraudsterSimilarityScore?: number;
  }[];
}

/** What a job did, for people: its status, the count of each EnrollmentStatus (RegistrationStatus), each error. */
export function summarize(
  job: { JobId: string; JobStatus: string; seconds: number; outputUri?: string; failure?: string },
  output?: JobOutput,
): string {
  const lines = [`Job ${job.JobId}: ${job.JobStatus} after ${job.seconds.toFixed(1)} s`];
  if (job.failure) lines.push(`  ${job.failure}`);
  if (output) {
    const successes = output.SuccessfulEnrollments ?? output.SuccessfulRegistrations ?? [];
    const statusOf = (entry: (typeof successes)[number]) =>
      'EnrollmentStatus' in entry ? entry.EnrollmentStatus : entry.RegistrationStatus;
    const counts = new Map<string, number>();
    for (const entry of successes) counts.set(statusOf(entry), (counts.get(statusOf(entry)) ?? 0) + 1);
    const errors = output.Errors ?? [];
    const member = output.SuccessfulRegistrations ? 'RegistrationStatus' : 'EnrollmentStatus';
    lines.push(`${member}: ${[...counts].map(([status, count]) => `${status} ${count}`).join(', ') || 'none'}`);
    lines.push(`Errors: ${errors.length}`);
    for (const error of errors) lines.push(`  ${error.RequestId}: ${error.ErrorCode} ${error.ErrorMessage}`);
  }
  if (job.outputUri) lines.push(`Output file: ${job.outputUri}`);
  return lines.join('\n');
}
