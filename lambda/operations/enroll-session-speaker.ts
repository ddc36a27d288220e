import { z } from 'zod';
import { ConflictException } from '#api-model/errors';
import { newPrefixedId } from '#api-model/ids';
import { presentSpeaker, type SpeakerRecord } from '#api-model/speaker';
import { resourceId, sessionNameOrId } from '#api-model/validation';
import { defineOperation } from './operation.ts';
import { sessionVoiceprint } from './session-voiceprint.ts';
import { openSession } from './sessions.ts';

const EnrollSessionSpeakerInput = z.object({
  DomainId: resourceId('DomainId'),
  SessionNameOrId: sessionNameOrId,
  ExistingEnrollmentAction: z
    .enum(['SKIP', 'OVERWRITE'], { error: 'ExistingEnrollmentAction must be SKIP or OVERWRITE.' })
    .optional(),
});

/**
 * Enrolls a consenting caller from the call itself, with the speech the session has taken (30 s of net speech), as
 * Connect's flows did. The speaker is the session's SpeakerId; an enrolled speaker keeps its voiceprint unless
 * ExistingEnrollmentAction is OVERWRITE (the batch job's rule and statuses), and an opted-out speaker is refused.
 */
export default defineOperation({
  name: 'EnrollSessionSpeaker',
  input: EnrollSessionSpeakerInput,
  route: { method: 'POST', path: '/domains/{DomainId}/sessions/{SessionNameOrId}/enrollment', summary: 'Enroll the session’s caller as its speaker' },
  async run(request, ctx) {
    const { domain, session } = await openSession(ctx, request.DomainId, request.SessionNameOrId);
    if (!session.speakerId) {
      throw new ConflictException('SPEAKER_NOT_SET', `The session ${session.sessionId} has no SpeakerId; set it with UpdateSession first.`);
    }
    const existing = await ctx.speakers.find(domain.domainId, session.speakerId);
    if (existing?.status === 'OPTED_OUT') {
      throw new ConflictException('SPEAKER_OPTED_OUT', `The speaker ${existing.speakerId} opted out of voice authentication and cannot be enrolled.`);
    }
    if (existing?.status === 'ENROLLED' && (request.ExistingEnrollmentAction ?? 'SKIP') === 'SKIP') {
      return { Speaker: presentSpeaker(existing), EnrollmentStatus: 'DUPLICATE_SKIPPED' };
    }
    const voiceprint = await sessionVoiceprint(ctx, domain, session, 'Enrollment');
    const now = ctx.now();
    let speaker: SpeakerRecord;
    if (existing) {
      const sealed = await ctx.voiceprints.seal(domain, { kind: 'speaker', id: existing.speakerId }, voiceprint, now);
      speaker = await ctx.speakers.changeStatus(existing, 'ENROLLED', now, sealed);
    } else {
      // A GeneratedSpeakerId that names no speaker was refused when it was set on the session.
      speaker = {
        domainId: domain.domainId,
        speakerId: newPrefixedId(),
        customerSpeakerId: session.speakerId,
        status: 'ENROLLED',
        createdAt: now,
        updatedAt: now,
        lastAccessedAt: now,
      };
      const sealed = await ctx.voiceprints.seal(domain, { kind: 'speaker', id: speaker.speakerId }, voiceprint, now);
      await ctx.speakers.create(speaker, ctx.quotas.speakersPerDomain, sealed);
    }
    await ctx.sessions.update(session, { ...session, enrolledSpeakerId: speaker.speakerId, updatedAt: now });
    return {
      Speaker: presentSpeaker(speaker),
      EnrollmentStatus: existing?.status === 'ENROLLED' ? 'ENROLLMENT_OVERWRITE' : 'NEW_ENROLLMENT',
    };
  },
});
