import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DescribeSpeakerCommand, EvaluateSessionCommand, type EvaluateSessionCommandOutput } from '@aws-sdk/client-voice-id';
import { concatenate } from '#biometrics/voiceprint';
import { decodeWav } from '#biometrics/wav';
import { SessionClient, streamAudio } from '#connectors/session-client';
import { apiUrl, endpoints, voiceId } from './clients.ts';

export const LIBRISPEECH = path.join(__dirname, '..', '..', '..', 'shared', 'data', 'librispeech-test-other-10');

/** The session client (wire protocol, SigV4), pointed at this run's API. */
export async function sessions(): Promise<SessionClient> {
  const e = endpoints();
  return new SessionClient({ endpoint: await apiUrl(), region: e.region, credentials: e.credentials });
}

/** A speaker's recordings from LibriSpeech test-other, in manifest order, as 8 kHz samples. */
export function recordings(speaker: string): Float32Array[] {
  const manifest = readFileSync(path.join(LIBRISPEECH, 'manifest.csv'), 'utf8').trim().split('\n').slice(1);
  return manifest
    .map((line) => line.split(','))
    .filter(([, who]) => who === speaker)
    .map(([file]) => decodeWav(readFileSync(path.join(LIBRISPEECH, file))).samples);
}

/** Consecutive recordings of a speaker, from `from`, joined until they hold at least `seconds` of audio. */
export function callAudio(speaker: string, seconds: number, from = 0): Float32Array {
  const parts: Float32Array[] = [];
  let total = 0;
  for (const recording of recordings(speaker).slice(from)) {
    if (total >= seconds * 8000) break;
    parts.push(recording);
    total += recording.length;
  }
  return concatenate(parts);
}

/** Starts a session and streams audio into it, as a contact centre would. */
export async function call(
  client: SessionClient,
  DomainId: string,
  audio: Float32Array,
  options: { SpeakerId?: string; chunkSeconds?: number } & Record<string, unknown> = {},
) {
  const { chunkSeconds, ...start } = options;
  const SessionName = `call-${Math.random().toString(36).slice(2, 12)}`;
  const { Session } = await client.startSession({ DomainId, SessionName, ...start });
  const last = await streamAudio(client, { DomainId, SessionNameOrId: Session.SessionId }, audio, { chunkSeconds: chunkSeconds ?? 1 });
  return { session: Session, last };
}

/**
 * EvaluateSession of a call a connector streams, once the connector has ended its session: the phone system's side
 * may be done before the connector has started the session, or ended it.
 */
export async function evaluatedWhenEnded(DomainId: string, SessionNameOrId: string): Promise<EvaluateSessionCommandOutput> {
  for (let tries = 0; ; tries++) {
    const result = await voiceId()
      .send(new EvaluateSessionCommand({ DomainId, SessionNameOrId }))
      .catch((error: Error) => (error.name === 'ResourceNotFoundException' && tries < 100 ? undefined : Promise.reject(error)));
    if (result && (result.StreamingStatus === 'ENDED' || tries === 100)) return result;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Waits until a connector's enrol-at-end, which runs after the call's session has ended, has enrolled the speaker. */
export async function enrolledWhenDone(DomainId: string, SpeakerId: string): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    const { Speaker } = await voiceId()
      .send(new DescribeSpeakerCommand({ DomainId, SpeakerId }))
      .catch(() => ({ Speaker: undefined }));
    if (Speaker?.Status === 'ENROLLED') return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
