import { z } from 'zod';
import { newResourceId } from '#api-model/ids';
import { clientToken, description, parseInput, resourceId, resourceName } from '#api-model/validation';
import { presentWatchlist, type WatchlistRecord } from '#api-model/watchlist';
import { oncePerClientToken } from './client-token.ts';
import type { OperationContext } from './context.ts';

export const CreateWatchlistInput = z.object({
  DomainId: resourceId('DomainId'),
  Name: resourceName('Name'),
  Description: description().optional(),
  ClientToken: clientToken.optional(),
});

export async function createWatchlist(input: unknown, ctx: OperationContext) {
  const request = parseInput(CreateWatchlistInput, input);
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
}
