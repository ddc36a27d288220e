import { presentDomain } from '#api-model/domain';
import { domainIdInput, parseInput } from '#api-model/validation';
import type { OperationContext } from './context.ts';

export async function describeDomain(input: unknown, ctx: OperationContext) {
  const { DomainId } = parseInput(domainIdInput, input);
  const domain = await ctx.domains.require(DomainId);
  return { Domain: presentDomain(domain, ctx.region, ctx.accountId) };
}
