import type { DomainRecord } from '#api-model/domain';
import { ValidationException } from '#api-model/errors';
import type { SessionRecord } from '#api-model/session';
import { readSpeechStream } from '#biometrics/speech-stream';
import { ENROLLMENT_SPEECH_SECONDS, type Voiceprint } from '#biometrics/voiceprint';
import type { Needs } from '#context';
import { openSpeech } from './sessions.ts';

/**
 * The voiceprint of a session's caller for enrollment or fraudster registration, which need Voice ID's 30 s of
 * net speech (more than authentication): a session with less is refused, saying how much it has.
 */
export async function sessionVoiceprint(
  ctx: Needs<'sessions' | 'speech'>,
  domain: DomainRecord,
  session: SessionRecord,
  purpose: string,
): Promise<Voiceprint> {
  const speech = await openSpeech(ctx, domain, session);
  // All of the call's speech counts, including what is still waiting for a whole piece (not saved: the session
  // may go on taking audio).
  const voiceprint = speech ? readSpeechStream(await ctx.speech.finish(speech.state)).voiceprint : undefined;
  if (!voiceprint || voiceprint.speechSeconds < ENROLLMENT_SPEECH_SECONDS) {
    throw new ValidationException(
      `${purpose} needs ${ENROLLMENT_SPEECH_SECONDS} s of net speech; the session ${session.sessionId} has ${Math.floor(voiceprint?.speechSeconds ?? 0)} s so far. Send more of the call's audio first.`,
    );
  }
  return voiceprint;
}
