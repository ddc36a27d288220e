import { speakerInput } from '#api-model/validation';
import { defineOperation } from './operation.ts';

/** Deletes a speaker with its voiceprint; a later enrollment of the same CustomerSpeakerId starts afresh. */
export default defineOperation({
  name: 'DeleteSpeaker',
  input: speakerInput,
  route: { method: 'DELETE', path: '/domains/{DomainId}/speakers/{SpeakerId}', summary: 'Delete a speaker and its voiceprint' },
  async run({ DomainId, SpeakerId }, ctx) {
    await ctx.domains.require(DomainId);
    await ctx.speakers.delete(await ctx.speakers.require(DomainId, SpeakerId));
    return {};
  },
});
