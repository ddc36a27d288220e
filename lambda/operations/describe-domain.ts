import { presentDomain } from '#domain/domain';
import { domainIdInput, parseInput } from '#domain/validation';
import type { OperationContext } from './context.ts';

export async function describeDomain(input: unknown, ctx: OperationContext) {
  const { DomainId } = parseInput(domainIdInput, input);
  const domain = await ctx.domains.require(DomainId);
  return { Domain: presentDomain(domain, ctx.region, ctx.accountId) };
}
