import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ENV } from '#environment';
import { type DataRetention, deletionProtected } from './data-retention.ts';

/** Every table expires items through this attribute (epoch seconds); reads check it too, since TTL lags. */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * The service's DynamoDB tables, encrypted with the deployment's key, with point-in-time recovery and TTL, kept
 * (and protected from deletion) on `cdk destroy` unless the deployment opted into DESTROY.
 * The key schema here is the one the embedded stack creates too (it reads the synthesized template).
 */
export class ServiceTables extends Construct {
  readonly domains: TableV2;
  readonly watchlists: TableV2;
  readonly speakers: TableV2;
  readonly fraudsters: TableV2;
  readonly counters: TableV2;
  readonly idempotency: TableV2;
  readonly voiceprints: TableV2;
  readonly sessions: TableV2;
  readonly jobs: TableV2;

  constructor(scope: Construct, id: string, props: { key: IKey; retention: DataRetention }) {
    super(scope, id);
    const table = (name: string, partitionKey: string, sortKey?: string) =>
      new TableV2(this, name, {
        partitionKey: { name: partitionKey, type: AttributeType.STRING },
        sortKey: sortKey ? { name: sortKey, type: AttributeType.STRING } : undefined,
        billing: Billing.onDemand(),
        encryption: TableEncryptionV2.customerManagedKey(props.key),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        timeToLiveAttribute: TTL_ATTRIBUTE,
        deletionProtection: deletionProtected(props.retention),
        removalPolicy: props.retention.removalPolicy,
      });
    this.domains = table('Domains', 'domainId');
    this.watchlists = table('Watchlists', 'domainId', 'watchlistId');
    // Speaker records (sort key `id#...`) and CustomerSpeakerId aliases (`alias#...`) of a domain.
    this.speakers = table('Speakers', 'domainId', 'itemId');
    // Fraudster records (`id#...`) and watchlist memberships (`member#<WatchlistId>#<FraudsterId>`) of a domain.
    this.fraudsters = table('Fraudsters', 'domainId', 'itemId');
    this.counters = table('QuotaCounters', 'counterId');
    this.idempotency = table('IdempotencyRecords', 'key');
    // Encrypted voiceprints of speakers (`speaker#<id>`) and fraudsters (`fraudster#<id>`) of a domain.
    this.voiceprints = table('Voiceprints', 'domainId', 'ownerId');
    // Live call sessions (`session#<SessionId>`) and their SessionName aliases (`name#<SessionName>`) of a domain.
    this.sessions = table('Sessions', 'domainId', 'itemId');
    // Batch jobs (`job#<type>#<JobId>`), their requests (`entry#<JobId>#<batch>#<index>`) and the one-active-job
    // locks (`active#<type>`) of a domain.
    this.jobs = table('BatchJobs', 'domainId', 'itemId');
  }

  /** The environment a function needs to find the tables (read by lambda/config.ts). */
  environment(): Record<string, string> {
    return Object.fromEntries(
      Object.entries(ENV.tables).map(([table, variable]) => [variable, this[table as keyof typeof ENV.tables].tableName]),
    );
  }

  /** The API function reads and writes every table, including transactions across them. */
  grantApiAccess(grantee: IGrantable): void {
    for (const t of this.all()) t.grantReadWriteData(grantee);
  }

  /**
   * The batch job worker records jobs' progress and enrolls speakers or registers fraudsters: it reads domains
   * and watchlists, and writes speakers, fraudsters, their voiceprints and the quota counters. Sessions and
   * ClientTokens are none of its business.
   */
  grantJobWorkerAccess(grantee: IGrantable): void {
    for (const t of [this.domains, this.watchlists]) t.grantReadData(grantee);
    for (const t of [this.jobs, this.speakers, this.fraudsters, this.voiceprints, this.counters]) t.grantReadWriteData(grantee);
  }

  /**
   * The worker also re-encrypts a domain's data under its new key: it re-seals voiceprints (granted above) and
   * session speech in place, and records the run's end on the domain. Only those writes, nothing else of sessions.
   */
  grantReEncryptionAccess(grantee: IGrantable): void {
    this.domains.grant(grantee, 'dynamodb:PutItem');
    this.sessions.grant(grantee, 'dynamodb:Query', 'dynamodb:UpdateItem');
  }

  /** The sweeper erases deleted domains with everything in them, and expires speakers. */
  grantSweeperAccess(grantee: IGrantable): void {
    for (const t of this.all().filter((t) => t !== this.idempotency)) t.grantReadWriteData(grantee);
  }

  private all(): TableV2[] {
    return [
      this.domains,
      this.watchlists,
      this.speakers,
      this.fraudsters,
      this.counters,
      this.idempotency,
      this.voiceprints,
      this.sessions,
      this.jobs,
    ];
  }
}
