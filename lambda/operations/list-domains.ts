import { z } from 'zod';
import { presentDomain } from '#api-model/domain';
import { maxResults, nextToken } from '#api-model/validation';
import { listPage } from '#rules/paging';
import { defineOperation, page } from './operation.ts';

const ListDomainsInput = z.object({
  MaxResults: maxResults(10).optional(),
  NextToken: nextToken.optional(),
});

export default defineOperation({
  name: 'ListDomains',
  input: ListDomainsInput,
  route: { method: 'GET', path: '/domains', summary: 'List domains', query: page },
  uses: ['accountId', 'domains', 'now', 'pageTokens', 'region'],
  async run(request, ctx) {
    const { items, NextToken } = await listPage(
      ctx,
      `ListDomains/${ctx.accountId}`,
      request,
      10,
      (limit, start) => ctx.domains.list(limit, start),
      (domain) => presentDomain(domain, ctx.region, ctx.accountId),
    );
    return { DomainSummaries: items, NextToken };
  },
});
