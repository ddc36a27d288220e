import { fraudsterInput, parseInput } from '#api-model/validation';
import type { OperationContext } from './context.ts';

/** Deletes a fraudster and takes it off every watchlist. */
export async function deleteFraudster(input: unknown, ctx: OperationContext) {
  const { DomainId, FraudsterId } = parseInput(fraudsterInput, input);
  await ctx.domains.require(DomainId);
  await ctx.fraudsters.delete(await ctx.fraudsters.require(DomainId, FraudsterId));
  return {};
}
