import { toEpochSeconds } from '#api-model/domain';
import { asOf, lastAccess, type SpeakerStatus } from '#api-model/speaker';
import { domainIdInput } from '#api-model/validation';
import { defineOperation } from './operation.ts';

const DAY_MS = 24 * 3600 * 1000;

/**
 * What a compliance officer must be able to show for a domain (BIPA, GDPR article 9), verified against the tables
 * rather than assumed: speakers by status as reads report them, speakers due to expire, opted-out and expired
 * speakers checked to hold no voiceprint and no session speech, and the KMS key every voiceprint is sealed under.
 * It reads the whole domain; `npm run compliance` prints it.
 */
export default defineOperation({
  name: 'GetComplianceReport',
  input: domainIdInput,
  route: {
    method: 'GET',
    path: '/domains/{DomainId}/compliance-report',
    summary: 'Compliance report of a domain (biometric data verified)',
  },
  uses: ['domains', 'now', 'sessions', 'speakerExpiryMs', 'speakers', 'voiceprints'],
  async run({ DomainId }, ctx) {
    const domain = await ctx.domains.require(DomainId);
    const now = ctx.now();
    const [voiceprints, withSpeech] = await Promise.all([ctx.voiceprints.inventory(DomainId), ctx.sessions.speakersWithSpeech(DomainId)]);
    const speakerVoiceprints = new Set(voiceprints.filter(({ owner }) => owner.kind === 'speaker').map(({ owner }) => owner.id));
    const byStatus: Record<SpeakerStatus, number> = { ENROLLED: 0, EXPIRED: 0, OPTED_OUT: 0, PENDING: 0 };
    const due = { Within30Days: 0, Within90Days: 0 };
    const holding: { status: 'OPTED_OUT' | 'EXPIRED'; speakerId: string; voiceprint: boolean; sessionSpeech: boolean }[] = [];
    for await (const page of ctx.speakers.all(DomainId)) {
      for (const stored of page) {
        const speaker = asOf(stored, now, ctx.speakerExpiryMs);
        byStatus[speaker.status]++;
        if (speaker.status === 'ENROLLED') {
          const expiresAt = lastAccess(speaker) + ctx.speakerExpiryMs;
          if (expiresAt <= now + 30 * DAY_MS) due.Within30Days++;
          if (expiresAt <= now + 90 * DAY_MS) due.Within90Days++;
        }
        if (speaker.status === 'OPTED_OUT' || speaker.status === 'EXPIRED') {
          const voiceprint = speakerVoiceprints.has(speaker.speakerId);
          const sessionSpeech = withSpeech.has(speaker.speakerId) || withSpeech.has(speaker.customerSpeakerId);
          if (voiceprint || sessionSpeech)
            holding.push({ status: speaker.status, speakerId: speaker.speakerId, voiceprint, sessionSpeech });
        }
      }
    }
    const keys = new Map<string, { Speakers: number; Fraudsters: number }>();
    for (const { owner, kmsKeyArn } of voiceprints) {
      const counts = keys.get(kmsKeyArn) ?? { Speakers: 0, Fraudsters: 0 };
      if (owner.kind === 'speaker') counts.Speakers++;
      else counts.Fraudsters++;
      keys.set(kmsKeyArn, counts);
    }
    const held = (status: 'OPTED_OUT' | 'EXPIRED') => holding.filter((h) => h.status === status);
    return {
      DomainId,
      GeneratedAt: toEpochSeconds(now),
      SpeakerExpiryDays: Math.round(ctx.speakerExpiryMs / DAY_MS),
      SpeakersByStatus: byStatus,
      SpeakersDueToExpire: due,
      OptedOutSpeakers: {
        Count: byStatus.OPTED_OUT,
        HoldingBiometricData: held('OPTED_OUT').map(({ speakerId, voiceprint, sessionSpeech }) => ({
          GeneratedSpeakerId: speakerId,
          Voiceprint: voiceprint,
          SessionSpeech: sessionSpeech,
        })),
      },
      // Overdue speakers the daily sweep has not purged yet (reads already treat them as expired; TTL erases their voiceprints too).
      ExpiredSpeakersAwaitingPurge: held('EXPIRED').length,
      DomainKmsKeyId: domain.kmsKeyId,
      VoiceprintsByKmsKey: [...keys].map(([KmsKeyArn, counts]) => ({ KmsKeyArn, ...counts })),
    };
  },
});
