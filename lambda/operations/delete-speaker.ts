import { parseInput, speakerInput } from '#api-model/validation';
import type { OperationContext } from './context.ts';

/** Deletes a speaker with its voiceprint; a later enrollment of the same CustomerSpeakerId starts afresh. */
export async function deleteSpeaker(input: unknown, ctx: OperationContext) {
  const { DomainId, SpeakerId } = parseInput(speakerInput, input);
  await ctx.domains.require(DomainId);
  await ctx.speakers.delete(await ctx.speakers.require(DomainId, SpeakerId));
  return {};
}
