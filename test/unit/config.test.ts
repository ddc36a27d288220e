import { ConfigurationError, loadConfig, loadSpeakerModelSettings } from '#config';

const complete = {
  AWS_REGION: 'eu-west-1',
  VOICE_ID_ACCOUNT_ID: '123456789012',
  DOMAINS_TABLE: 'd',
  WATCHLISTS_TABLE: 'w',
  SPEAKERS_TABLE: 's',
  FRAUDSTERS_TABLE: 'f',
  COUNTERS_TABLE: 'c',
  IDEMPOTENCY_TABLE: 'i',
  VOICEPRINTS_TABLE: 'v',
  SESSIONS_TABLE: 'x',
  JOBS_TABLE: 'j',
  TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:tokens',
  DATA_ACCESS_ROLE_PREFIX: 'voice-id-',
};

describe('the configuration', () => {
  it("reads every setting, with Voice ID's default quotas", () => {
    expect(loadConfig(complete)).toEqual({
      region: 'eu-west-1',
      accountId: '123456789012',
      tables: {
        domains: 'd',
        watchlists: 'w',
        speakers: 's',
        fraudsters: 'f',
        counters: 'c',
        idempotency: 'i',
        voiceprints: 'v',
        sessions: 'x',
        jobs: 'j',
      },
      quotas: {
        domains: 3,
        speakersPerDomain: 100_000,
        watchlistsPerDomain: 3,
        fraudstersPerWatchlist: 500,
        sessionsPerDomain: 50,
        speakersPerEnrollmentJob: 10_000,
        fraudstersPerRegistrationJob: 500,
      },
      speakerExpiryMs: 3 * 365 * 24 * 3600 * 1000,
      dataAccessRolePrefix: 'voice-id-',
      domainKmsKeys: [],
      batchJobStateMachineArn: undefined,
      reEncryptionStateMachineArn: undefined,
      endpoints: { dynamodb: undefined, kms: undefined, s3: undefined, sts: undefined, stepFunctions: undefined },
      tokenSecret: { secretArn: complete.TOKEN_SECRET_ARN },
      speakerModel: {},
      speechWorkers: 0,
      auditEvents: { eventBusName: 'default' },
    });
  });

  it('takes configured quotas, local endpoints and a token secret given directly', () => {
    const config = loadConfig({
      ...complete,
      QUOTA_DOMAINS: '7',
      QUOTA_SPEAKERS_PER_DOMAIN: '10',
      QUOTA_WATCHLISTS_PER_DOMAIN: '5',
      QUOTA_FRAUDSTERS_PER_WATCHLIST: '2',
      QUOTA_SESSIONS_PER_DOMAIN: '4',
      QUOTA_SPEAKERS_PER_ENROLLMENT_JOB: '6',
      QUOTA_FRAUDSTERS_PER_REGISTRATION_JOB: '3',
      SPEECH_WORKERS: '2',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      KMS_ENDPOINT: 'http://127.0.0.1:8001',
      S3_ENDPOINT: 'http://127.0.0.1:8002',
      STS_ENDPOINT: 'http://127.0.0.1:8003',
      STEP_FUNCTIONS_ENDPOINT: 'http://127.0.0.1:8004',
      TOKEN_SECRET: 'local-secret',
      SPEAKER_MODEL: 'resemblyzer-ge2e',
    });
    expect(config.quotas).toEqual({
      domains: 7,
      speakersPerDomain: 10,
      watchlistsPerDomain: 5,
      fraudstersPerWatchlist: 2,
      sessionsPerDomain: 4,
      speakersPerEnrollmentJob: 6,
      fraudstersPerRegistrationJob: 3,
    });
    expect(config.speechWorkers).toBe(2);
    expect(config.endpoints).toEqual({
      dynamodb: 'http://127.0.0.1:8000',
      kms: 'http://127.0.0.1:8001',
      s3: 'http://127.0.0.1:8002',
      sts: 'http://127.0.0.1:8003',
      stepFunctions: 'http://127.0.0.1:8004',
    });
    expect(config.tokenSecret).toEqual({ value: 'local-secret' });
    expect(config.speakerModel).toEqual({ name: 'resemblyzer-ge2e' });
  });

  it('sends audit events to the EventBridge bus named, or to a file when one is given', () => {
    expect(loadConfig({ ...complete, EVENT_BUS_NAME: 'audit' }).auditEvents).toEqual({ eventBusName: 'audit' });
    expect(loadConfig({ ...complete, AUDIT_EVENTS_FILE: '/data/audit-events.jsonl' }).auditEvents).toEqual({
      file: '/data/audit-events.jsonl',
    });
  });

  it("reads the bound on batch jobs' roles and the domain keys allowed, refusing wildcards and entries that are no key", () => {
    const keys = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab, alias/voice-id/*';
    const config = loadConfig({ ...complete, DATA_ACCESS_ROLE_PREFIX: 'contact-centre/', DOMAIN_KMS_KEYS: keys });
    expect(config.dataAccessRolePrefix).toBe('contact-centre/');
    expect(config.domainKmsKeys).toEqual([
      'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'alias/voice-id/*',
    ]);
    const { DATA_ACCESS_ROLE_PREFIX: _prefix, ...unbounded } = complete;
    expect(() => loadConfig(unbounded)).toThrow('The service is not configured: DATA_ACCESS_ROLE_PREFIX must be set.');
    expect(() => loadConfig({ ...complete, DATA_ACCESS_ROLE_PREFIX: '*', DOMAIN_KMS_KEYS: 'alias/ok,my-key' })).toThrow(
      'The service is not configured: DATA_ACCESS_ROLE_PREFIX must be what DataAccessRoleArns start with after "role/" (a path such as voice-id/ or a name prefix such as voice-id-; letters, digits and +=,.@_-/, no wildcards), not *. ' +
        'DOMAIN_KMS_KEYS must list key ARNs or aliases (alias/name, or alias/prefix* for every alias it begins), separated by commas; my-key is neither.',
    );
  });

  it('names every missing or malformed setting at once', () => {
    const { DOMAINS_TABLE: _d, AWS_REGION: _r, ...rest } = complete;
    const load = () => loadConfig({ ...rest, QUOTA_DOMAINS: 'three', QUOTA_SPEAKERS_PER_DOMAIN: '0' });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(
      'The service is not configured: AWS_REGION must be set. DOMAINS_TABLE must be set. ' +
        'QUOTA_DOMAINS must be a positive whole number, not three. QUOTA_SPEAKERS_PER_DOMAIN must be a positive whole number, not 0.',
    );
  });

  it('needs the token secret in one of its two forms', () => {
    const { TOKEN_SECRET_ARN: _arn, ...rest } = complete;
    expect(() => loadConfig(rest)).toThrow('The service is not configured: TOKEN_SECRET_ARN (or TOKEN_SECRET) must be set.');
  });

  it("takes an operator's own speaker model with its file, sha256 and format", () => {
    const sha256 = 'AB'.repeat(32);
    const custom = {
      SPEAKER_MODEL: 'custom',
      SPEAKER_MODEL_FILE: 'resnet34.onnx',
      SPEAKER_MODEL_SHA256: sha256,
      SPEAKER_MODEL_FORMAT: 'wespeaker',
    };
    expect(loadConfig({ ...complete, ...custom, SPEAKER_MODEL_DIR: '/opt/model/out' }).speakerModel).toEqual({
      directory: '/opt/model/out',
      custom: { file: 'resnet34.onnx', sha256: sha256.toLowerCase(), format: 'wespeaker' },
    });
    expect(loadSpeakerModelSettings(custom)).toEqual({
      custom: { file: 'resnet34.onnx', sha256: sha256.toLowerCase(), format: 'wespeaker' },
    });
  });

  it("refuses an operator's model without its file, sha256 or a known format, and those settings without it", () => {
    expect(() => loadConfig({ ...complete, SPEAKER_MODEL: 'custom', SPEAKER_MODEL_SHA256: 'abc', SPEAKER_MODEL_FORMAT: 'nemo' })).toThrow(
      'The service is not configured: SPEAKER_MODEL_FILE must name the model file when SPEAKER_MODEL is custom. ' +
        "SPEAKER_MODEL_SHA256 must be the model file's sha256 (64 hex digits), not abc. " +
        'SPEAKER_MODEL_FORMAT must be one of wespeaker, 3d-speaker, sherpa-onnx, not nemo.',
    );
    expect(() => loadSpeakerModelSettings({ SPEAKER_MODEL_FILE: 'resnet34.onnx' })).toThrow(
      'The speaker model is not configured: SPEAKER_MODEL_FILE is only used with SPEAKER_MODEL=custom.',
    );
  });
});
