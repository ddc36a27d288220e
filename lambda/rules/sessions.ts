import type { DomainRecord } from '#api-model/domain';
import { ValidationException } from '#api-model/errors';
import { isEnded, type SessionRecord } from '#api-model/session';
import { GENERATED_ID_PATTERN } from '#api-model/speaker';
import { SpeechStreamStateError } from '#biometrics/errors';
import { readSpeechStream, type SpeechStreamSummary } from '#biometrics/speech-stream';
import type { Needs } from '#context';

/** The domain and one of its sessions, by SessionId or SessionName: what every session operation starts from. */
export function openSession(
  ctx: Needs<'now' | 'sessions'>,
  domainId: string,
  sessionNameOrId: string,
): Promise<{ domain: DomainRecord; session: SessionRecord }> {
  return ctx.sessions.requireWithDomain(domainId, sessionNameOrId, ctx.now());
}

/** Refuses a change to a session whose call is over. */
export function requireLive(session: SessionRecord, nowMs: number, change: string): void {
  if (isEnded(session, nowMs)) {
    throw new ValidationException(
      `The session ${session.sessionId} has ended, so it cannot ${change}. Start a new session for a new call.`,
    );
  }
}

/**
 * A SpeakerId for a session: a CustomerSpeakerId may name a caller not enrolled yet (evaluation then says
 * SPEAKER_NOT_ENROLLED), but a GeneratedSpeakerId is ours to issue, so one this domain never issued is a mistake
 * (another domain's id, say) that the caller should hear about now rather than as a puzzling decision later.
 */
export async function checkSessionSpeaker(ctx: Needs<'speakers'>, domainId: string, speakerId: string): Promise<void> {
  if (GENERATED_ID_PATTERN.test(speakerId)) await ctx.speakers.require(domainId, speakerId);
}

/**
 * Erases the session's speech, and any it would take, when the speaker it names has opted out; the session as it is
 * then. Run after the session naming the speaker is written: OptOutSpeaker changes the speaker before it looks for
 * the sessions naming it, so whichever of the two runs second sees the other's write, and a session named while
 * its speaker opts out is erased by one of them.
 */
export async function eraseIfOptedOut(ctx: Needs<'now' | 'sessions' | 'speakers'>, session: SessionRecord): Promise<SessionRecord> {
  if (session.speakerId === undefined || session.speechErasedAt !== undefined) return session;
  const speaker = await ctx.speakers.find(session.domainId, session.speakerId);
  if (speaker?.status !== 'OPTED_OUT') return session;
  await ctx.sessions.purgeSpeakerStreams(session.domainId, [speaker.speakerId, speaker.customerSpeakerId], ctx.now());
  return (await openSession(ctx, session.domainId, session.sessionId)).session;
}

/**
 * The session's speech so far, decrypted in memory, with what it holds; undefined before the first audio. A
 * session begun under another speaker model (the deployment changed SPEAKER_MODEL mid-call) is refused clearly.
 */
export async function openSpeech(
  ctx: Needs<'sessions' | 'speech'>,
  domain: DomainRecord,
  session: SessionRecord,
): Promise<{ state: Uint8Array; summary: SpeechStreamSummary } | undefined> {
  const state = await ctx.sessions.openStream(domain, session);
  if (!state) return undefined;
  try {
    return { state, summary: readSpeechStream(state, ctx.speech.model) };
  } catch (error) {
    if (error instanceof SpeechStreamStateError && error.problem === 'MODEL') {
      throw new ValidationException(
        `The session ${session.sessionId} began under another speaker model than this deployment's (${ctx.speech.model}). Start a new session.`,
      );
    }
    throw error;
  }
}
