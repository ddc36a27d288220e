import { asOf, presentSpeaker } from '#api-model/speaker';
import { speakerInput } from '#api-model/validation';
import { defineOperation } from './operation.ts';

export default defineOperation({
  name: 'DescribeSpeaker',
  input: speakerInput,
  route: {
    method: 'GET',
    path: '/domains/{DomainId}/speakers/{SpeakerId}',
    summary: 'Describe a speaker (GeneratedSpeakerId or CustomerSpeakerId)',
  },
  uses: ['domains', 'now', 'speakerExpiryMs', 'speakers'],
  async run({ DomainId, SpeakerId }, ctx) {
    await ctx.domains.require(DomainId);
    const speaker = await ctx.speakers.require(DomainId, SpeakerId);
    return { Speaker: presentSpeaker(asOf(speaker, ctx.now(), ctx.speakerExpiryMs)) };
  },
});
