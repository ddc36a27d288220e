import { z } from 'zod';
import { presentFraudster } from '#api-model/fraudster';
import { maxResults, nextToken, parseInput, resourceId } from '#api-model/validation';
import type { OperationContext } from './context.ts';
import { listPage } from './paging.ts';

export const ListFraudstersInput = z.object({
  DomainId: resourceId('DomainId'),
  WatchlistId: resourceId('WatchlistId').optional(),
  MaxResults: maxResults(100).optional(),
  NextToken: nextToken.optional(),
});

/** Every fraudster of the domain, or those of one watchlist. */
export async function listFraudsters(input: unknown, ctx: OperationContext) {
  const request = parseInput(ListFraudstersInput, input);
  await ctx.domains.require(request.DomainId);
  if (request.WatchlistId) await ctx.watchlists.require(request.DomainId, request.WatchlistId);
  const { items, NextToken } = await listPage(
    ctx,
    `ListFraudsters/${request.DomainId}/${request.WatchlistId ?? '*'}`,
    request,
    100,
    (limit, start) => ctx.fraudsters.list(request.DomainId, request.WatchlistId, limit, start),
    presentFraudster,
  );
  return { FraudsterSummaries: items, NextToken };
}
