/**
 * The name of every environment variable the service reads, declared once. lambda/config.ts reads them by these
 * names; lib/ sets them by the same names for the functions in AWS and in the embedded stack, so a variable cannot
 * be renamed in one place and missed in another.
 */
export const ENV = {
  region: 'AWS_REGION',
  accountId: 'VOICE_ID_ACCOUNT_ID',
  tables: {
    domains: 'DOMAINS_TABLE',
    watchlists: 'WATCHLISTS_TABLE',
    speakers: 'SPEAKERS_TABLE',
    fraudsters: 'FRAUDSTERS_TABLE',
    counters: 'COUNTERS_TABLE',
    idempotency: 'IDEMPOTENCY_TABLE',
    voiceprints: 'VOICEPRINTS_TABLE',
    sessions: 'SESSIONS_TABLE',
    jobs: 'JOBS_TABLE',
  },
  quotas: {
    domains: 'QUOTA_DOMAINS',
    speakersPerDomain: 'QUOTA_SPEAKERS_PER_DOMAIN',
    watchlistsPerDomain: 'QUOTA_WATCHLISTS_PER_DOMAIN',
    fraudstersPerWatchlist: 'QUOTA_FRAUDSTERS_PER_WATCHLIST',
    sessionsPerDomain: 'QUOTA_SESSIONS_PER_DOMAIN',
    speakersPerEnrollmentJob: 'QUOTA_SPEAKERS_PER_ENROLLMENT_JOB',
    fraudstersPerRegistrationJob: 'QUOTA_FRAUDSTERS_PER_REGISTRATION_JOB',
  },
  speakerExpiryDays: 'SPEAKER_EXPIRY_DAYS',
  dataAccessRolePrefix: 'DATA_ACCESS_ROLE_PREFIX',
  domainKmsKeys: 'DOMAIN_KMS_KEYS',
  stateMachines: {
    batchJobs: 'BATCH_JOB_STATE_MACHINE_ARN',
    reEncryption: 'REENCRYPTION_STATE_MACHINE_ARN',
  },
  endpoints: {
    dynamodb: 'DYNAMODB_ENDPOINT',
    kms: 'KMS_ENDPOINT',
    s3: 'S3_ENDPOINT',
    sts: 'STS_ENDPOINT',
    stepFunctions: 'STEP_FUNCTIONS_ENDPOINT',
  },
  tokenSecret: 'TOKEN_SECRET',
  tokenSecretArn: 'TOKEN_SECRET_ARN',
  speakerModel: {
    name: 'SPEAKER_MODEL',
    directory: 'SPEAKER_MODEL_DIR',
    file: 'SPEAKER_MODEL_FILE',
    sha256: 'SPEAKER_MODEL_SHA256',
    format: 'SPEAKER_MODEL_FORMAT',
  },
  scoreCalibrationFile: 'SCORE_CALIBRATION_FILE',
  auditEventsFile: 'AUDIT_EVENTS_FILE',
  eventBusName: 'EVENT_BUS_NAME',
  speechWorkers: 'SPEECH_WORKERS',
} as const;

/**
 * The form of the values that both the stack's parameters (lib/stack-parameters.ts, at synth) and the functions'
 * configuration (lambda/config.ts, at start) check, so that neither accepts what the other refuses.
 */
export const VALUE_FORMS = {
  /**
   * What a DataAccessRoleArn must start with after `role/`: a path (`voice-id/`), a name prefix (`voice-id-`) or
   * both. IAM's own characters only: a wildcard would widen the bound the worker's policy is written from.
   */
  dataAccessRolePrefix: /^[\w+=,.@-][\w+=,.@/-]{0,511}$/,
  /** One entry of the domain key allow-list: a key ARN, or an alias name, ending in `*` for every alias it begins. */
  domainKmsKey: /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+|alias\/[\w/-]+\*?)$/,
} as const;
