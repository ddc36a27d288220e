import { z } from 'zod';
import { presentFraudster } from '#api-model/fraudster';
import { maxResults, nextToken, resourceId } from '#api-model/validation';
import { listPage } from '#rules/paging';
import { defineOperation, page } from './operation.ts';

const ListFraudstersInput = z.object({
  DomainId: resourceId('DomainId'),
  WatchlistId: resourceId('WatchlistId').optional(),
  MaxResults: maxResults(100).optional(),
  NextToken: nextToken.optional(),
});

/** Every fraudster of the domain, or those of one watchlist. */
export default defineOperation({
  name: 'ListFraudsters',
  input: ListFraudstersInput,
  route: {
    method: 'GET',
    path: '/domains/{DomainId}/fraudsters',
    summary: 'List fraudsters, optionally of one watchlist',
    query: { ...page, WatchlistId: 'string' },
  },
  uses: ['domains', 'fraudsters', 'now', 'pageTokens', 'watchlists'],
  async run(request, ctx) {
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
  },
});
