import { z } from 'zod';
import { maxResults, nextToken, resourceId } from '#api-model/validation';
import { presentWatchlist } from '#api-model/watchlist';
import { listPage } from '#rules/paging';
import { defineOperation, page } from './operation.ts';

const ListWatchlistsInput = z.object({
  DomainId: resourceId('DomainId'),
  MaxResults: maxResults(100).optional(),
  NextToken: nextToken.optional(),
});

export default defineOperation({
  name: 'ListWatchlists',
  input: ListWatchlistsInput,
  route: { method: 'GET', path: '/domains/{DomainId}/watchlists', summary: 'List watchlists', query: page },
  uses: ['domains', 'now', 'pageTokens', 'watchlists'],
  async run(request, ctx) {
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
  },
});
