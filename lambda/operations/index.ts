import { NotImplementedYet } from '#domain/errors';
import type { OperationContext } from './context.ts';
import { createDomain } from './create-domain.ts';
import { deleteDomain } from './delete-domain.ts';
import { describeDomain } from './describe-domain.ts';
import { listDomains } from './list-domains.ts';
import { updateDomain } from './update-domain.ts';

/** An operation takes the request members (not yet validated) and returns the response members. */
export type Operation = (input: unknown, ctx: OperationContext) => Promise<unknown>;

const notImplementedYet =
  (name: string): Operation =>
  async () => {
    throw new NotImplementedYet(name);
  };

/** Every operation of the Voice ID API (2021-09-27), by its wire name. Both transports dispatch through this. */
export const operations: Record<string, Operation> = {
  CreateDomain: createDomain,
  DescribeDomain: describeDomain,
  UpdateDomain: updateDomain,
  DeleteDomain: deleteDomain,
  ListDomains: listDomains,
  ...Object.fromEntries(
    [
      'CreateWatchlist',
      'DescribeWatchlist',
      'UpdateWatchlist',
      'DeleteWatchlist',
      'ListWatchlists',
      'DescribeFraudster',
      'DeleteFraudster',
      'ListFraudsters',
      'AssociateFraudster',
      'DisassociateFraudster',
      'DescribeSpeaker',
      'ListSpeakers',
      'DeleteSpeaker',
      'OptOutSpeaker',
      'StartSpeakerEnrollmentJob',
      'DescribeSpeakerEnrollmentJob',
      'ListSpeakerEnrollmentJobs',
      'StartFraudsterRegistrationJob',
      'DescribeFraudsterRegistrationJob',
      'ListFraudsterRegistrationJobs',
      'EvaluateSession',
      'TagResource',
      'UntagResource',
      'ListTagsForResource',
    ].map((name) => [name, notImplementedYet(name)]),
  ),
};
