import { z } from 'zod';
import { type DomainRecord, presentDomain } from '#api-model/domain';
import { newResourceId } from '#api-model/ids';
import { clientToken, description, resourceName, serverSideEncryptionConfiguration, tagList } from '#api-model/validation';
import { DEFAULT_WATCHLIST_NAME, type WatchlistRecord } from '#api-model/watchlist';
import { oncePerClientToken } from '#rules/client-token';
import { requireDomainKey } from '#rules/domain-keys';
import { defineOperation } from './operation.ts';

const CreateDomainInput = z.object({
  Name: resourceName('Name'),
  Description: description().optional(),
  ServerSideEncryptionConfiguration: serverSideEncryptionConfiguration,
  ClientToken: clientToken.optional(),
  Tags: tagList.optional(),
});

/** Creates a domain together with its default watchlist. */
export default defineOperation({
  name: 'CreateDomain',
  input: CreateDomainInput,
  route: { method: 'POST', path: '/domains', summary: 'Create a domain and its default watchlist' },
  uses: ['accountId', 'domainKmsKeys', 'domains', 'encryptionKeys', 'idempotency', 'now', 'quotas', 'region'],
  async run(request, ctx) {
    const scope = { operation: 'CreateDomain', owner: ctx.accountId, clientToken: request.ClientToken, request };
    return oncePerClientToken<{ Domain: ReturnType<typeof presentDomain> }>(ctx, scope, async (claim) => {
      await requireDomainKey(ctx, request.ServerSideEncryptionConfiguration.KmsKeyId);
      const now = ctx.now();
      const domain: DomainRecord = {
        domainId: newResourceId(),
        name: request.Name,
        description: request.Description,
        kmsKeyId: request.ServerSideEncryptionConfiguration.KmsKeyId,
        status: 'ACTIVE',
        defaultWatchlistId: newResourceId(),
        tags: Object.fromEntries((request.Tags ?? []).map((tag) => [tag.Key, tag.Value])),
        createdAt: now,
        updatedAt: now,
      };
      const defaultWatchlist: WatchlistRecord = {
        domainId: domain.domainId,
        watchlistId: domain.defaultWatchlistId,
        name: DEFAULT_WATCHLIST_NAME,
        description: 'The default watchlist of the domain',
        isDefault: true,
        createdAt: now,
        updatedAt: now,
      };
      const response = { Domain: presentDomain(domain, ctx.region, ctx.accountId) };
      await ctx.domains.create(domain, defaultWatchlist, ctx.quotas.domains, claim(response));
      return response;
    });
  },
});
