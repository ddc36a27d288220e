import { z } from 'zod';
import { ValidationException } from '#api-model/errors';
import { description, resourceId, resourceName } from '#api-model/validation';
import { presentWatchlist, type WatchlistRecord } from '#api-model/watchlist';
import { defineOperation } from './operation.ts';

const UpdateWatchlistInput = z.object({
  DomainId: resourceId('DomainId'),
  WatchlistId: resourceId('WatchlistId'),
  Name: resourceName('Name').optional(),
  Description: description().optional(),
});

/** Changes the members given and keeps the others (unlike UpdateDomain, which replaces everything). */
export default defineOperation({
  name: 'UpdateWatchlist',
  input: UpdateWatchlistInput,
  route: {
    method: 'PATCH',
    path: '/domains/{DomainId}/watchlists/{WatchlistId}',
    summary: 'Change the name or description of a watchlist',
  },
  uses: ['domains', 'now', 'watchlists'],
  async run(request, ctx) {
    await ctx.domains.require(request.DomainId);
    const current = await ctx.watchlists.require(request.DomainId, request.WatchlistId);
    if (current.isDefault) {
      throw new ValidationException(`The watchlist ${current.watchlistId} is the domain's default watchlist, which cannot be updated.`);
    }
    const next: WatchlistRecord = {
      ...current,
      name: request.Name ?? current.name,
      description: request.Description ?? current.description,
      updatedAt: Math.max(ctx.now(), current.updatedAt + 1),
    };
    await ctx.watchlists.replace(current, next);
    return { Watchlist: presentWatchlist(next) };
  },
});
