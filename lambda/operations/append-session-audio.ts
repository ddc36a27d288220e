import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { DomainRecord } from '#api-model/domain';
import { ConflictException, ValidationException } from '#api-model/errors';
import { type SessionRecord, streamingStatus } from '#api-model/session';
import { resourceId, sessionNameOrId, wholeNumber } from '#api-model/validation';
import { AudioFormatError } from '#biometrics/errors';
import { newSpeechStream, readSpeechStream } from '#biometrics/speech-stream';
import { decodeWav, pcm16ToFloat32, VOICE_ID_SAMPLE_RATE } from '#biometrics/wav';
import type { Needs } from '#context';
import { SessionChanged } from '#ports/sessions';
import { openSession, openSpeech, requireLive } from '#rules/sessions';
import { defineOperation } from './operation.ts';

/** A chunk holds at most 10 s of audio: small enough for one request, big enough for any streaming client. */
export const MAX_CHUNK_SECONDS = 10;
const MAX_CHUNK_BYTES = MAX_CHUNK_SECONDS * VOICE_ID_SAMPLE_RATE * 2;
/** A WAV chunk may add its header (and a second channel) to the raw audio. */
const MAX_WAV_CHUNK_BYTES = 2 * MAX_CHUNK_BYTES + 4096;
/** A session takes at most two hours of audio; no authentication needs more than its first minutes. */
export const MAX_SESSION_AUDIO_SECONDS = 2 * 3600;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const AppendSessionAudioInput = z.object({
  DomainId: resourceId('DomainId'),
  SessionNameOrId: sessionNameOrId,
  SequenceNumber: wholeNumber('SequenceNumber', 0, 1_000_000),
  Audio: z
    .string({ error: 'Audio is required: the chunk of audio, base64-encoded.' })
    .min(1, 'Audio must not be empty.')
    .max(Math.ceil(MAX_WAV_CHUNK_BYTES / 3) * 4, `Audio must hold at most ${MAX_CHUNK_SECONDS} s of audio per chunk; send shorter chunks.`)
    .regex(BASE64, 'Audio must be base64-encoded.'),
  AudioFormat: z.enum(['PCM16', 'WAV'], { error: 'AudioFormat must be PCM16 (raw 8 kHz 16-bit little-endian mono) or WAV.' }).optional(),
  ChannelId: z.union([z.literal(0), z.literal(1)], { error: 'ChannelId must be 0 or 1.' }).optional(),
});

type AppendRequest = z.output<typeof AppendSessionAudioInput>;

/**
 * Takes the next chunk of a call's audio. Chunks carry sequence numbers from 0 up: a retried chunk (the same
 * number and audio) is answered again without being counted twice; a gap, or another stream's chunk under a number
 * already taken, is refused and changes nothing. Speech detection and embedding run here, as the audio arrives, so
 * that EvaluateSession only compares voiceprints.
 */
export default defineOperation({
  name: 'AppendSessionAudio',
  input: AppendSessionAudioInput,
  route: { method: 'POST', path: '/domains/{DomainId}/sessions/{SessionNameOrId}/audio', summary: 'Send the next chunk of a call’s audio' },
  uses: ['now', 'sessions', 'speech'],
  async run(request, ctx) {
    const samples = decodeChunk(request);
    const digest = createHash('sha256')
      .update(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength))
      .digest('hex');
    // Another request may change the session while this chunk is embedded (its speaker set, its speech erased by an
    // opt-out, or the same chunk retried): the chunk is then taken again from the session as it is now.
    for (let attempt = 1; ; attempt++) {
      const { domain, session } = await openSession(ctx, request.DomainId, request.SessionNameOrId);
      const now = ctx.now();
      if (isRetry(session, request.SequenceNumber, digest)) return answer(session, now);
      requireLive(session, now, 'take more audio');
      requireNext(session, request.SequenceNumber);
      try {
        return answer(await take(ctx, domain, session, samples, digest), now);
      } catch (error) {
        if (!(error instanceof SessionChanged)) throw error;
        if (attempt === MAX_ATTEMPTS) {
          throw new ConflictException(
            'CONCURRENT_CHANGES',
            `The session kept changing while chunk ${request.SequenceNumber} was taken. Send it again with the same SequenceNumber.`,
          );
        }
      }
    }
  },
});

/** How often a chunk is taken again when the session changed under it, before the caller is asked to retry. */
const MAX_ATTEMPTS = 3;

/**
 * Adds the chunk to the session: its speech is detected and embedded, unless the session's speech was erased
 * (its speaker opted out or was deleted), after which the call's audio is counted and dropped.
 */
async function take(
  ctx: Needs<'now' | 'sessions' | 'speech'>,
  domain: DomainRecord,
  session: SessionRecord,
  samples: Float32Array,
  digest: string,
): Promise<SessionRecord> {
  const chunkSeconds = samples.length / VOICE_ID_SAMPLE_RATE;
  if (session.audioSeconds + chunkSeconds > MAX_SESSION_AUDIO_SECONDS) {
    throw new ValidationException(
      `The session already holds ${Math.round(session.audioSeconds)} s of audio; a session takes at most ${MAX_SESSION_AUDIO_SECONDS} s. Start a new session.`,
    );
  }
  let fed: Uint8Array | undefined;
  if (session.speechErasedAt === undefined) {
    const state = (await openSpeech(ctx, domain, session))?.state ?? newSpeechStream(ctx.speech.model);
    fed = await ctx.speech.feed(state, samples, session.authentication.requiredSpeechSeconds);
  }
  const now = ctx.now();
  const next: SessionRecord = {
    ...session,
    nextSequenceNumber: session.nextSequenceNumber + 1,
    lastChunkDigest: digest,
    audioSeconds: session.audioSeconds + chunkSeconds,
    speechSeconds: fed ? readSpeechStream(fed).speechSeconds : 0,
    firstAudioAt: session.firstAudioAt ?? now,
    lastAudioAt: now,
    updatedAt: now,
  };
  return ctx.sessions.save(domain, session, next, fed);
}

function decodeChunk(request: AppendRequest): Float32Array {
  const bytes = Buffer.from(request.Audio, 'base64');
  try {
    if (request.AudioFormat === 'WAV') {
      if (bytes.byteLength > MAX_WAV_CHUNK_BYTES)
        throw new AudioFormatError(`A WAV chunk may hold at most ${MAX_CHUNK_SECONDS} s of audio.`);
      const { samples } = decodeWav(bytes, request.ChannelId ?? 0);
      if (samples.length > MAX_CHUNK_SECONDS * VOICE_ID_SAMPLE_RATE) {
        throw new AudioFormatError(
          `A chunk may hold at most ${MAX_CHUNK_SECONDS} s of audio; this one holds ${samples.length / VOICE_ID_SAMPLE_RATE} s.`,
        );
      }
      return samples;
    }
    if (request.ChannelId !== undefined) {
      throw new AudioFormatError('ChannelId applies to WAV chunks only; a PCM16 chunk is the caller’s channel alone.');
    }
    if (bytes.byteLength > MAX_CHUNK_BYTES) {
      throw new AudioFormatError(
        `A chunk may hold at most ${MAX_CHUNK_SECONDS} s of audio (${MAX_CHUNK_BYTES} bytes of PCM16); this one has ${bytes.byteLength} bytes.`,
      );
    }
    return pcm16ToFloat32(bytes);
  } catch (error) {
    if (error instanceof AudioFormatError) throw new ValidationException(error.message);
    throw error;
  }
}

/**
 * A chunk the session took already, sent again (a client retry after a lost response): answered, not counted. The
 * last chunk's audio is checked too, so that another stream reusing its number is caught.
 */
function isRetry(session: SessionRecord, sequenceNumber: number, digest: string): boolean {
  if (sequenceNumber >= session.nextSequenceNumber) return false;
  if (sequenceNumber < session.nextSequenceNumber - 1 || session.lastChunkDigest === digest) return true;
  throw new ConflictException(
    'ANOTHER_ACTIVE_STREAM',
    `The session already took a different chunk ${sequenceNumber}: another stream is sending audio into this session. Send one stream per session.`,
  );
}

function requireNext(session: SessionRecord, sequenceNumber: number): void {
  if (sequenceNumber > session.nextSequenceNumber) {
    throw new ValidationException(
      `The session expects chunk ${session.nextSequenceNumber} next, not ${sequenceNumber}: send the missing chunks first, in order.`,
    );
  }
}

function answer(session: SessionRecord, nowMs: number) {
  return {
    SessionId: session.sessionId,
    NextSequenceNumber: session.nextSequenceNumber,
    AudioSeconds: Math.round(session.audioSeconds * 100) / 100,
    SpeechSeconds: Math.round(session.speechSeconds * 100) / 100,
    StreamingStatus: streamingStatus(session, nowMs),
  };
}
