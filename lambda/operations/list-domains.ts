import { z } from 'zod';
import { presentDomain } from '#api-model/domain';
import { maxResults, nextToken, parseInput } from '#api-model/validation';
import type { OperationContext } from './context.ts';
import { listPage } from './paging.ts';

export const ListDomainsInput = z.object({
  MaxResults: maxResults(10).optional(),
  NextToken: nextToken.optional(),
});

export async function listDomains(input: unknown, ctx: OperationContext) {
  const request = parseInput(ListDomainsInput, input);
  const { items, NextToken } = await listPage(
    ctx,
    `ListDomains/${ctx.accountId}`,
    request,
    10,
    (limit, start) => ctx.domains.list(limit, start),
    (domain) => presentDomain(domain, ctx.region, ctx.accountId),
  );
  return { DomainSummaries: items, NextToken };
}
