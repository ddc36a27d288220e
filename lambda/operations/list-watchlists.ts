import { z } from 'zod';
import { maxResults, nextToken, parseInput, resourceId } from '#api-model/validation';
import { presentWatchlist } from '#api-model/watchlist';
import type { OperationContext } from './context.ts';
import { listPage } from './paging.ts';

export const ListWatchlistsInput = z.object({
  DomainId: resourceId('DomainId'),
  MaxResults: maxResults(100).optional(),
  NextToken: nextToken.optional(),
});

export async function listWatchlists(input: unknown, ctx: OperationContext) {
  const request = parseInput(ListWatchlistsInput, input);
  await ctx.domains.require(request.DomainId);
  const { items, NextToken } = await listPage(
    ctx,
    `ListWatchlists/${request.DomainId}`,
    request,
    100,
    (limit, start) => ctx.watchlists.list(request.DomainId, limit, start),
    presentWatchlist,
  );
  return { WatchlistSummaries: items, NextToken };
}
