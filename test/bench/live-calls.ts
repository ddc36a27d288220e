import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CreateDomainCommand, VoiceIDClient } from '@aws-sdk/client-voice-id';
import { concatenate } from '#biometrics/voiceprint';
import { decodeWav } from '#biometrics/wav';
import { SessionClient, toPcm16 } from '#connectors/session-client';
import type { Endpoints } from '#lib/local/embedded-stack';

/** What the benchmarks of live calls share: real voices, a domain to call into, and pacing. */

const DATA = path.join(__dirname, '..', '..', '..', 'shared', 'data', 'librispeech-test-other-10');

/** Each speaker's recordings of LibriSpeech test-other joined, so a call holds one voice. */
export function speakers(): Float32Array[] {
  return readdirSync(DATA, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((dir) =>
      concatenate(
        readdirSync(path.join(DATA, dir.name))
          .filter((file) => file.endsWith('.wav'))
          .sort()
          .map((file) => decodeWav(readFileSync(path.join(DATA, dir.name, file))).samples),
      ),
    );
}

export const sleepUntil = (time: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, time - performance.now())));

/** The SpeakerId every benchmark call claims to be. */
export const BENCH_CUSTOMER = 'bench-customer';

/**
 * A new domain with BENCH_CUSTOMER enrolled from `voices[0]` and a fraudster registered from `voices[1]` on the
 * default watchlist, so every EvaluateSession authenticates and screens as a contact centre's would.
 */
export async function benchDomain(endpoints: Endpoints, voices: Float32Array[]): Promise<{ DomainId: string; client: SessionClient }> {
  const address = { endpoint: endpoints.voiceId, region: endpoints.region, credentials: endpoints.credentials };
  const client = new SessionClient(address);
  const voiceId = new VoiceIDClient(address);
  const { Domain } = await voiceId.send(
    new CreateDomainCommand({ Name: 'bench', ServerSideEncryptionConfiguration: { KmsKeyId: endpoints.defaultKmsKeyArn } }),
  );
  voiceId.destroy();
  const DomainId = Domain!.DomainId!;
  for (const [voice, operation] of [
    [voices[0], 'EnrollSessionSpeaker'],
    [voices[1], 'RegisterSessionFraudster'],
  ] as const) {
    const { Session } = await client.startSession({ DomainId, SessionName: `setup-${operation}`, SpeakerId: BENCH_CUSTOMER });
    for (let i = 0, at = 0; at < 45 * 8000; i++, at += 80_000) {
      await client.appendAudio({
        DomainId,
        SessionNameOrId: Session.SessionId,
        SequenceNumber: i,
        Audio: toPcm16(voice.subarray(at, at + 80_000)),
      });
    }
    await client.call(operation, { DomainId, SessionNameOrId: Session.SessionId });
  }
  return { DomainId, client };
}
