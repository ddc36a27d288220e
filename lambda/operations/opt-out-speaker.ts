import { speakerAudit } from '#api-model/audit-event';
import { newPrefixedId } from '#api-model/ids';
import { GENERATED_ID_PATTERN, presentSpeaker, type SpeakerRecord } from '#api-model/speaker';
import { speakerInput } from '#api-model/validation';
import { speakerNotFound } from '#ports/speakers';
import { defineOperation } from './operation.ts';

/**
 * Records that a caller declined voice authentication: the speaker becomes OPTED_OUT (its voiceprint and its sessions' speech go) and
 * cannot be enrolled until deleted. A CustomerSpeakerId never seen before gets an OPTED_OUT record, so that the
 * refusal holds for a later enrollment attempt too.
 */
export default defineOperation({
  name: 'OptOutSpeaker',
  input: speakerInput,
  route: { method: 'POST', path: '/domains/{DomainId}/speakers/{SpeakerId}/opt-out', summary: 'Opt a speaker out of voice authentication' },
  audit: speakerAudit('OPT_OUT_SPEAKER'),
  uses: ['domains', 'now', 'quotas', 'sessions', 'speakers'],
  async run({ DomainId, SpeakerId }, ctx) {
    await ctx.domains.require(DomainId);
    const existing = await ctx.speakers.find(DomainId, SpeakerId);
    const now = ctx.now();
    if (existing) {
      const optedOut = existing.status === 'OPTED_OUT' ? existing : await ctx.speakers.changeStatus(existing, 'OPTED_OUT', now);
      await ctx.sessions.purgeSpeakerStreams(DomainId, [existing.speakerId, existing.customerSpeakerId], now);
      return { Speaker: presentSpeaker(optedOut) };
    }
    // A GeneratedSpeakerId is ours to issue: an unknown one names no caller.
    if (GENERATED_ID_PATTERN.test(SpeakerId)) throw speakerNotFound(SpeakerId);
    const speaker: SpeakerRecord = {
      domainId: DomainId,
      speakerId: newPrefixedId(),
      customerSpeakerId: SpeakerId,
      status: 'OPTED_OUT',
      createdAt: now,
      updatedAt: now,
    };
    await ctx.speakers.create(speaker, ctx.quotas.speakersPerDomain);
    await ctx.sessions.purgeSpeakerStreams(DomainId, [SpeakerId], now);
    return { Speaker: presentSpeaker(speaker) };
  },
});
