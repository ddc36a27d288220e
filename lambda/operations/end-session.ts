import { sessionAudit } from '#api-model/audit-event';
import { ConflictException } from '#api-model/errors';
import { ENDED_SESSION_RETENTION_MS, isEnded, presentSession } from '#api-model/session';
import { sessionInput } from '#api-model/validation';
import { readSpeechStream } from '#biometrics/speech-stream';
import { openSession, openSpeech } from '#rules/sessions';
import { defineOperation } from './operation.ts';

const concurrentChange = (sessionId: string) =>
  new ConflictException('CONCURRENT_CHANGES', `The session ${sessionId} took audio while it was being ended. End it again.`);

/**
 * Ends a call's session: it takes no more audio and frees its place in the domain's session quota. Its results
 * stay available (EvaluateSession, enrollment, fraudster registration) for a day, then the record is erased. Ending
 * an ended session changes nothing.
 */
export default defineOperation({
  name: 'EndSession',
  input: sessionInput,
  route: { method: 'POST', path: '/domains/{DomainId}/sessions/{SessionNameOrId}/end', summary: 'End a session' },
  // Voice ID reported a stream's end with the detail-type of its start.
  audit: sessionAudit('VoiceId Start Session Action', 'END_SESSION'),
  uses: ['now', 'sessions', 'speech'],
  async run({ DomainId, SessionNameOrId }, ctx) {
    const { domain, session } = await openSession(ctx, DomainId, SessionNameOrId);
    const now = ctx.now();
    if (session.endedAt !== undefined || isEnded(session, now)) return { Session: presentSession(session, now) };
    const next = {
      ...session,
      endedAt: now,
      updatedAt: now,
      expiresAt: Math.min(session.expiresAt, Math.ceil((now + ENDED_SESSION_RETENTION_MS) / 1000)),
    };
    const speech = await openSpeech(ctx, domain, session);
    if (!speech) return { Session: presentSession(await ctx.sessions.update(session, next), now) };
    // The speech still waiting for a whole piece is embedded now, so the call's voiceprint covers all of it.
    const finished = await ctx.speech.finish(speech.state);
    const { speechSeconds } = readSpeechStream(finished);
    const ended = await ctx.sessions.save(domain, session, { ...next, speechSeconds }, finished, () => concurrentChange(session.sessionId));
    return { Session: presentSession(ended, now) };
  },
});
