import { z } from 'zod';
import { sessionAudit } from '#api-model/audit-event';
import { ConflictException } from '#api-model/errors';
import { presentSession } from '#api-model/session';
import { resourceId, sessionNameOrId, speakerId, threshold } from '#api-model/validation';
import { checkSessionSpeaker, eraseIfOptedOut, openSession, requireLive } from '#rules/sessions';
import { defineOperation } from './operation.ts';

const UpdateSessionInput = z.object({
  DomainId: resourceId('DomainId'),
  SessionNameOrId: sessionNameOrId,
  SpeakerId: speakerId.optional(),
  AcceptanceThreshold: threshold('AcceptanceThreshold').optional(),
  RiskThreshold: threshold('RiskThreshold').optional(),
});

/**
 * Names or changes the caller a session authenticates (Connect's CustomerId contact attribute, often known only
 * once the caller has identified themselves), or its thresholds. Members not given keep their values. A new
 * speaker or threshold gives new result ids at the next evaluation; the audio so far counts for the new speaker.
 */
export default defineOperation({
  name: 'UpdateSession',
  input: UpdateSessionInput,
  route: { method: 'PATCH', path: '/domains/{DomainId}/sessions/{SessionNameOrId}', summary: 'Set the speaker or thresholds of a session' },
  audit: sessionAudit('VoiceId Update Session Action', 'UPDATE_SESSION'),
  uses: ['now', 'sessions', 'speakers'],
  async run(request, ctx) {
    const { session } = await openSession(ctx, request.DomainId, request.SessionNameOrId);
    const now = ctx.now();
    requireLive(session, now, 'be changed');
    if (request.SpeakerId && session.enrolledSpeakerId && request.SpeakerId !== session.speakerId) {
      throw new ConflictException(
        'CANNOT_CHANGE_SPEAKER_AFTER_ENROLLMENT',
        `The session's caller was enrolled as ${session.enrolledSpeakerId}; its speaker cannot change now.`,
      );
    }
    if (request.SpeakerId) await checkSessionSpeaker(ctx, session.domainId, request.SpeakerId);
    const updated = await ctx.sessions.update(session, {
      ...session,
      speakerId: request.SpeakerId ?? session.speakerId,
      authentication: {
        ...session.authentication,
        acceptanceThreshold: request.AcceptanceThreshold ?? session.authentication.acceptanceThreshold,
      },
      fraudDetection: { ...session.fraudDetection, riskThreshold: request.RiskThreshold ?? session.fraudDetection.riskThreshold },
      updatedAt: now,
    });
    return { Session: presentSession(await eraseIfOptedOut(ctx, updated), now) };
  },
});
