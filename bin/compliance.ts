/**
 * `npm run compliance -- --domain <DomainId> [--endpoints endpoints.json] [--json]`: a domain's compliance report
 * (GetComplianceReport), for a compliance officer: speakers by status, speakers due to expire in 30 and 90 days,
 * opted-out speakers verified to hold no voiceprint and no session speech, expired speakers awaiting purge, and the
 * KMS key every voiceprint is sealed under. Reads the embedded stack's endpoints.json (VOICE_ID_DATA_DIR, else
 * .data/). Exit code 1 when any opted-out speaker still holds biometric data.
 */
import { parseArgs } from 'node:util';
import { SessionClient } from '#connectors/session-client';
import { endpointsFile, readLocalEndpoints } from './local-endpoints.ts';

interface ComplianceReport {
  DomainId: string;
  SpeakerExpiryDays: number;
  SpeakersByStatus: Record<string, number>;
  SpeakersDueToExpire: { Within30Days: number; Within90Days: number };
  OptedOutSpeakers: { Count: number; HoldingBiometricData: { GeneratedSpeakerId: string; Voiceprint: boolean; SessionSpeech: boolean }[] };
  ExpiredSpeakersAwaitingPurge: number;
  DomainKmsKeyId: string;
  VoiceprintsByKmsKey: { KmsKeyArn: string; Speakers: number; Fraudsters: number }[];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { domain: { type: 'string' }, endpoints: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (!values.domain) {
    console.error('Usage: npm run compliance -- --domain <DomainId> [--endpoints endpoints.json] [--json]');
    return 2;
  }
  const local = readLocalEndpoints(values.endpoints);
  if (!local) throw new Error(`No ${endpointsFile(values.endpoints)}: start the service with npm start, or give --endpoints.`);
  const client = new SessionClient({ endpoint: local.voiceId, region: local.region, credentials: local.credentials });
  const report = await client.call<ComplianceReport>('GetComplianceReport', { DomainId: values.domain });
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const s = report.SpeakersByStatus;
    const optedOut = report.OptedOutSpeakers;
    console.log(`Domain ${report.DomainId} (speakers expire after ${report.SpeakerExpiryDays} days without access)
Speakers: ${s.ENROLLED} enrolled, ${s.EXPIRED} expired, ${s.OPTED_OUT} opted out, ${s.PENDING} pending
Due to expire: ${report.SpeakersDueToExpire.Within30Days} within 30 days, ${report.SpeakersDueToExpire.Within90Days} within 90 days
Opted-out speakers holding biometric data: ${optedOut.HoldingBiometricData.length} of ${optedOut.Count} (voiceprints and session speech checked)
Expired speakers awaiting purge: ${report.ExpiredSpeakersAwaitingPurge}
Domain key: ${report.DomainKmsKeyId}
Voiceprints by key:${report.VoiceprintsByKmsKey.map((k) => `\n  ${k.KmsKeyArn}: ${k.Speakers} speakers, ${k.Fraudsters} fraudsters`).join('') || ' none'}`);
    for (const held of optedOut.HoldingBiometricData) {
      console.log(
        `  NOT CLEAN ${held.GeneratedSpeakerId}:${held.Voiceprint ? ' voiceprint' : ''}${held.SessionSpeech ? ' session speech' : ''}`,
      );
    }
  }
  return report.OptedOutSpeakers.HoldingBiometricData.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
