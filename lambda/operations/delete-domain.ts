import { domainIdInput, parseInput } from '#api-model/validation';
import type { OperationContext } from './context.ts';

/** Soft-deletes a domain: it stops working now, and its data is erased after the retention period. */
export async function deleteDomain(input: unknown, ctx: OperationContext) {
  const { DomainId } = parseInput(domainIdInput, input);
  await ctx.domains.markDeleted(DomainId, ctx.now());
  return {};
}
