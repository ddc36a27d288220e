import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { VoiceIdStackProps } from '#lib/voice-id-stack';

/** Every stack parameter away from its default. */
export const EVERY_PARAMETER: VoiceIdStackProps = {
  apiMemorySize: 2048,
  batchJobWorkerMemorySize: 3008,
  expirySweeperMemorySize: 256,
  apiReservedConcurrency: 50,
  batchJobMaxConcurrency: 40,
  logRetention: RetentionDays.THREE_MONTHS,
  quotas: {
    domains: 10,
    speakersPerDomain: 200_000,
    watchlistsPerDomain: 5,
    fraudstersPerWatchlist: 1000,
    sessionsPerDomain: 500,
    speakersPerEnrollmentJob: 20_000,
    fraudstersPerRegistrationJob: 1000,
  },
  speakerExpiryDays: 365,
  removalPolicy: RemovalPolicy.DESTROY,
  architecture: 'x86_64',
  dataAccessRolePrefix: 'contact-centre/voice-id-',
  domainKmsKeys: ['arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'alias/voice-id/*'],
};
