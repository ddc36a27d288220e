import { z } from 'zod';
import { sessionEnrollmentAudit } from '#api-model/audit-event';
import { ConflictException } from '#api-model/errors';
import { presentSpeaker } from '#api-model/speaker';
import { resourceId, sessionNameOrId } from '#api-model/validation';
import { enrollSpeaker } from '#rules/enrollment';
import { sessionVoiceprint } from '#rules/session-voiceprint';
import { openSession } from '#rules/sessions';
import { defineOperation } from './operation.ts';

const EnrollSessionSpeakerInput = z.object({
  DomainId: resourceId('DomainId'),
  SessionNameOrId: sessionNameOrId,
  ExistingEnrollmentAction: z.enum(['SKIP', 'OVERWRITE'], { error: 'ExistingEnrollmentAction must be SKIP or OVERWRITE.' }).optional(),
});

/**
 * Enrolls a consenting caller from the call itself, with the speech the session has taken (30 s of net speech), as
 * Connect's flows did. The speaker is the session's SpeakerId; the rules are the batch job's (enrollment.ts).
 */
export default defineOperation({
  name: 'EnrollSessionSpeaker',
  input: EnrollSessionSpeakerInput,
  route: {
    method: 'POST',
    path: '/domains/{DomainId}/sessions/{SessionNameOrId}/enrollment',
    summary: 'Enroll the session’s caller as its speaker',
  },
  audit: sessionEnrollmentAudit,
  uses: ['now', 'quotas', 'sessions', 'speakerExpiryMs', 'speakers', 'speech', 'voiceprints'],
  async run(request, ctx) {
    const { domain, session } = await openSession(ctx, request.DomainId, request.SessionNameOrId);
    if (!session.speakerId) {
      throw new ConflictException('SPEAKER_NOT_SET', `The session ${session.sessionId} has no SpeakerId; set it with UpdateSession first.`);
    }
    const { speaker, status } = await enrollSpeaker(ctx, domain, {
      speakerId: session.speakerId,
      existingEnrollmentAction: request.ExistingEnrollmentAction ?? 'SKIP',
      voiceprint: () => sessionVoiceprint(ctx, domain, session, 'Enrollment'),
    });
    if (status !== 'DUPLICATE_SKIPPED') {
      await ctx.sessions.update(session, { ...session, enrolledSpeakerId: speaker.speakerId, updatedAt: ctx.now() });
    }
    return { Speaker: presentSpeaker(speaker), EnrollmentStatus: status };
  },
});
