import { speakerAudit } from '#api-model/audit-event';
import { speakerInput } from '#api-model/validation';
import { defineOperation } from './operation.ts';

/**
 * Deletes a speaker with its voiceprint and the speech of its sessions; a later enrollment of the same
 * CustomerSpeakerId starts afresh.
 */
export default defineOperation({
  name: 'DeleteSpeaker',
  input: speakerInput,
  route: { method: 'DELETE', path: '/domains/{DomainId}/speakers/{SpeakerId}', summary: 'Delete a speaker and its voiceprint' },
  audit: speakerAudit('DELETE_SPEAKER'),
  uses: ['domains', 'now', 'sessions', 'speakers'],
  async run({ DomainId, SpeakerId }, ctx) {
    await ctx.domains.require(DomainId);
    const speaker = await ctx.speakers.require(DomainId, SpeakerId);
    await ctx.speakers.delete(speaker);
    await ctx.sessions.purgeSpeakerStreams(DomainId, [speaker.speakerId, speaker.customerSpeakerId], ctx.now());
    return {};
  },
});
