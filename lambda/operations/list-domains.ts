import { z } from 'zod';
import { presentDomain } from '#domain/domain';
import { maxResults, nextToken, parseInput } from '#domain/validation';
import type { OperationContext } from './context.ts';

const ListDomainsInput = z.object({
  MaxResults: maxResults(10).optional(),
  NextToken: nextToken.optional(),
});

export async function listDomains(input: unknown, ctx: OperationContext) {
  const request = parseInput(ListDomainsInput, input);
  const list = `ListDomains/${ctx.accountId}`;
  const now = ctx.now();
  const page = await ctx.domains.list(request.MaxResults ?? 10, ctx.pageTokens.open(list, request.NextToken, now));
  return {
    DomainSummaries: page.domains.map((domain) => presentDomain(domain, ctx.region, ctx.accountId)),
    NextToken: ctx.pageTokens.seal(list, page.lastKey, now),
  };
}
