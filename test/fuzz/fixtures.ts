import { BUCKET, createBucket, ROLE } from '#test/support/batch-job-files';
import { sessions } from '#test/support/calls';
import { endpoints } from '#test/support/clients';
import { newDomain } from '#test/support/voice-id-errors';
import type { Fixtures } from './values.ts';

/**
 * The real data the fuzzer's requests name: a domain with its default watchlist and one live session that has taken
 * no audio yet (so every chunk the fuzzer sends is chunk 0, or a gap), a bucket and a role for batch jobs.
 */
export async function createFixtures(): Promise<Fixtures> {
  const domain = await newDomain('fuzz');
  await createBucket();
  const sessionName = 'fuzz-call';
  const { Session } = await (await sessions()).startSession({ DomainId: domain.DomainId!, SessionName: sessionName });
  return {
    domainId: domain.DomainId!,
    watchlistId: domain.WatchlistDetails!.DefaultWatchlistId!,
    sessionId: Session.SessionId,
    sessionName,
    domainArn: domain.Arn!,
    kmsKeyArn: endpoints().defaultKmsKeyArn,
    roleArn: ROLE,
    bucket: BUCKET,
  };
}
