import type { z } from 'zod';
import { NotImplementedYet } from '#api-model/errors';
import {
  domainIdInput,
  fraudsterInput,
  fraudsterMembershipInput,
  speakerInput,
  watchlistInput,
} from '#api-model/validation';
import { associateFraudster } from './associate-fraudster.ts';
import type { OperationContext } from './context.ts';
import { CreateDomainInput, createDomain } from './create-domain.ts';
import { CreateWatchlistInput, createWatchlist } from './create-watchlist.ts';
import { deleteDomain } from './delete-domain.ts';
import { deleteFraudster } from './delete-fraudster.ts';
import { deleteSpeaker } from './delete-speaker.ts';
import { deleteWatchlist } from './delete-watchlist.ts';
import { describeDomain } from './describe-domain.ts';
import { describeFraudster } from './describe-fraudster.ts';
import { describeSpeaker } from './describe-speaker.ts';
import { describeWatchlist } from './describe-watchlist.ts';
import { disassociateFraudster } from './disassociate-fraudster.ts';
import { ListDomainsInput, listDomains } from './list-domains.ts';
import { ListFraudstersInput, listFraudsters } from './list-fraudsters.ts';
import { ListSpeakersInput, listSpeakers } from './list-speakers.ts';
import { ListTagsForResourceInput, listTagsForResource } from './list-tags-for-resource.ts';
import { ListWatchlistsInput, listWatchlists } from './list-watchlists.ts';
import { optOutSpeaker } from './opt-out-speaker.ts';
import { TagResourceInput, tagResource } from './tag-resource.ts';
import { UntagResourceInput, untagResource } from './untag-resource.ts';
import { UpdateDomainInput, updateDomain } from './update-domain.ts';
import { UpdateWatchlistInput, updateWatchlist } from './update-watchlist.ts';

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
  CreateWatchlist: createWatchlist,
  DescribeWatchlist: describeWatchlist,
  UpdateWatchlist: updateWatchlist,
  DeleteWatchlist: deleteWatchlist,
  ListWatchlists: listWatchlists,
  DescribeFraudster: describeFraudster,
  DeleteFraudster: deleteFraudster,
  ListFraudsters: listFraudsters,
  AssociateFraudster: associateFraudster,
  DisassociateFraudster: disassociateFraudster,
  DescribeSpeaker: describeSpeaker,
  ListSpeakers: listSpeakers,
  DeleteSpeaker: deleteSpeaker,
  OptOutSpeaker: optOutSpeaker,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
  ...Object.fromEntries(
    [
      'StartSpeakerEnrollmentJob',
      'DescribeSpeakerEnrollmentJob',
      'ListSpeakerEnrollmentJobs',
      'StartFraudsterRegistrationJob',
      'DescribeFraudsterRegistrationJob',
      'ListFraudsterRegistrationJobs',
      'EvaluateSession',
    ].map((name) => [name, notImplementedYet(name)]),
  ),
};

/** The request schema of each implemented operation: for documentation (the OpenAPI document of the REST routes). */
export const operationInputs: Record<string, z.ZodObject> = {
  CreateDomain: CreateDomainInput,
  DescribeDomain: domainIdInput,
  UpdateDomain: UpdateDomainInput,
  DeleteDomain: domainIdInput,
  ListDomains: ListDomainsInput,
  CreateWatchlist: CreateWatchlistInput,
  DescribeWatchlist: watchlistInput,
  UpdateWatchlist: UpdateWatchlistInput,
  DeleteWatchlist: watchlistInput,
  ListWatchlists: ListWatchlistsInput,
  DescribeFraudster: fraudsterInput,
  DeleteFraudster: fraudsterInput,
  ListFraudsters: ListFraudstersInput,
  AssociateFraudster: fraudsterMembershipInput,
  DisassociateFraudster: fraudsterMembershipInput,
  DescribeSpeaker: speakerInput,
  ListSpeakers: ListSpeakersInput,
  DeleteSpeaker: speakerInput,
  OptOutSpeaker: speakerInput,
  TagResource: TagResourceInput,
  UntagResource: UntagResourceInput,
  ListTagsForResource: ListTagsForResourceInput,
};
