import { presentSpeaker } from '#api-model/speaker';
import { parseInput, speakerInput } from '#api-model/validation';
import type { OperationContext } from './context.ts';

export async function describeSpeaker(input: unknown, ctx: OperationContext) {
  const { DomainId, SpeakerId } = parseInput(speakerInput, input);
  await ctx.domains.require(DomainId);
  return { Speaker: presentSpeaker(await ctx.speakers.require(DomainId, SpeakerId)) };
}
