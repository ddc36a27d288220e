import { presentFraudster } from '#api-model/fraudster';
import { fraudsterInput, parseInput } from '#api-model/validation';
import type { OperationContext } from './context.ts';

export async function describeFraudster(input: unknown, ctx: OperationContext) {
  const { DomainId, FraudsterId } = parseInput(fraudsterInput, input);
  await ctx.domains.require(DomainId);
  return { Fraudster: presentFraudster(await ctx.fraudsters.require(DomainId, FraudsterId)) };
}
