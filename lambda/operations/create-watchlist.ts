import { z } from 'zod';
import { newResourceId } from '#api-model/ids';
import { clientToken, description, resourceId, resourceName } from '#api-model/validation';
import { presentWatchlist, type WatchlistRecord } from '#api-model/watchlist';
import { oncePerClientToken } from '#rules/client-token';
import { defineOperation } from './operation.ts';

const CreateWatchlistInput = z.object({
  DomainId: resourceId('DomainId'),
  Name: resourceName('Name'),
  Description: description().optional(),
  ClientToken: clientToken.optional(),
});

export default defineOperation({
  name: 'CreateWatchlist',
  input: CreateWatchlistInput,
  route: { method: 'POST', path: '/domains/{DomainId}/watchlists', summary: 'Create a watchlist' },
  uses: ['domains', 'idempotency', 'now', 'quotas', 'watchlists'],
  async run(request, ctx) {
    await ctx.domains.require(request.DomainId);
    const scope = { operation: 'CreateWatchlist', owner: request.DomainId, clientToken: request.ClientToken, request };
    return oncePerClientToken<{ Watchlist: ReturnType<typeof presentWatchlist> }>(ctx, scope, async (claim) => {
      const now = ctx.now();
      const watchlist: WatchlistRecord = {
        domainId: request.DomainId,
        watchlistId: newResourceId(),
        name: request.Name,
        description: request.Description,
        isDefault: false,
        createdAt: now,
        updatedAt: now,
      };
      const response = { Watchlist: presentWatchlist(watchlist) };
      await ctx.watchlists.create(watchlist, ctx.quotas.watchlistsPerDomain, claim(response));
      return response;
    });
  },
});
