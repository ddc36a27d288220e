import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { GENERATED_ID_PATTERN, HOUR_MS, type SpeakerRecord, type SpeakerStatus } from '#api-model/speaker';
import type { Page, PagePosition } from '#ports/page';
import { type Speakers, speakerNotFound } from '#ports/speakers';
import { everyPage, fromPartitionItem, queryPrefix, RECORD_PREFIX } from './dynamodb.ts';
import { counterIds, type QuotaCounters } from './quota-counters.ts';
import {
  concurrentChange,
  deleteIfUnchanged,
  type GuardedWrite,
  putIfUnchanged,
  transact,
  transactUnlessOvertaken,
} from './transactions.ts';
import type { VoiceprintStore } from './voiceprint-store.ts';

const aliasKey = (customerSpeakerId: string) => `alias#${customerSpeakerId}`;
/** At most about 1 MB of remembered GeneratedSpeakerIds per process. */
const MAX_REMEMBERED_IDS = 10_000;

/** Last accessed (or, never accessed, created) before `:cutoff`: the overdue rule of isExpired, as DynamoDB evaluates it. */
const OVERDUE = '(lastAccessedAt < :cutoff OR (attribute_not_exists(lastAccessedAt) AND createdAt < :cutoff))';

/** A speaker keeps a voiceprint only while ENROLLED; any other status purges it in the same transaction. */
const KEEPS_VOICEPRINT: ReadonlySet<SpeakerStatus> = new Set(['ENROLLED']);

/**
 * Speakers of a domain, in one partition per domain: each speaker's record (sort key = its GeneratedSpeakerId)
 * and an alias item per CustomerSpeakerId (`alias#<id>`), written together so a CustomerSpeakerId is unique.
 * A speaker's voiceprint (VoiceprintStore) changes in the same transaction as its status, so ENROLLED and
 * "has a voiceprint" can never disagree.
 */
export class SpeakerStore implements Speakers {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { speakers: string },
    private readonly counters: QuotaCounters,
    private readonly voiceprints: VoiceprintStore,
  ) {}

  /**
   * GeneratedSpeakerIds by domain and CustomerSpeakerId, as aliases gave them lately (in memory only). An alias
   * never points elsewhere while its speaker's record exists: both are written and deleted together, and a new
   * speaker of the same CustomerSpeakerId needs the old alias gone. So a record read by a remembered id is that
   * speaker's, and a record no longer there sends the lookup back to the alias; every answer is still a consistent
   * read of the record. It spares EvaluateSession, which looks its speaker up every second of a call, one read.
   */
  private readonly generatedIds = new Map<string, string>();

  /** Finds a speaker by GeneratedSpeakerId or CustomerSpeakerId, the two forms Voice ID's SpeakerId takes. */
  async find(domainId: string, speakerId: string): Promise<SpeakerRecord | undefined> {
    if (GENERATED_ID_PATTERN.test(speakerId)) return this.getRecord(domainId, speakerId);
    const key = `${domainId}\n${speakerId}`;
    const remembered = this.generatedIds.get(key);
    const record = remembered && (await this.getRecord(domainId, remembered));
    if (record) return record;
    this.generatedIds.delete(key);
    const alias = await this.getItem(domainId, aliasKey(speakerId));
    if (!alias) return undefined;
    if (this.generatedIds.size >= MAX_REMEMBERED_IDS) this.generatedIds.delete(this.generatedIds.keys().next().value!);
    this.generatedIds.set(key, alias.speakerId as string);
    return this.getRecord(domainId, alias.speakerId as string);
  }

  async require(domainId: string, speakerId: string): Promise<SpeakerRecord> {
    const speaker = await this.find(domainId, speakerId);
    if (!speaker) throw speakerNotFound(speakerId);
    return speaker;
  }

  /**
   * Adds a speaker (enrollment, or an opt-out of a speaker never seen) within the domain's speaker quota. A
   * concurrent creation of the same CustomerSpeakerId loses with CONCURRENT_CHANGES. `also` joins the transaction.
   */
  async create(speaker: SpeakerRecord, quota: number, voiceprint?: GuardedWrite, ...also: GuardedWrite[]): Promise<void> {
    await transact(this.client, [
      ...(voiceprint ? [voiceprint] : []),
      ...also,
      {
        write: {
          Put: {
            TableName: this.tables.speakers,
            Item: { ...speaker, itemId: speaker.speakerId },
            ConditionExpression: 'attribute_not_exists(itemId)',
          },
        },
      },
      {
        write: {
          Put: {
            TableName: this.tables.speakers,
            Item: { domainId: speaker.domainId, itemId: aliasKey(speaker.customerSpeakerId), speakerId: speaker.speakerId },
            ConditionExpression: 'attribute_not_exists(itemId)',
          },
        },
        onConditionFailed: () => concurrentChange('speaker', speaker.customerSpeakerId),
      },
      this.counters.increment(counterIds.speakers(speaker.domainId), quota, 'speakers per domain'),
    ]);
  }

  /**
   * Sets a speaker's status, unless another request changed it since `expected`. An enrollment brings its new
   * voiceprint and counts as an access; leaving ENROLLED purges the voiceprint. `also` joins the transaction.
   */
  async changeStatus(
    expected: SpeakerRecord,
    status: SpeakerStatus,
    nowMs: number,
    voiceprint?: GuardedWrite,
    ...also: GuardedWrite[]
  ): Promise<SpeakerRecord> {
    const next: SpeakerRecord = {
      ...expected,
      status,
      updatedAt: Math.max(nowMs, expected.updatedAt + 1),
      lastAccessedAt: voiceprint ? nowMs : expected.lastAccessedAt,
    };
    const voiceprintWrite = KEEPS_VOICEPRINT.has(status)
      ? voiceprint
      : this.voiceprints.remove(expected.domainId, { kind: 'speaker', id: expected.speakerId });
    await transact(this.client, [
      putIfUnchanged(this.tables.speakers, { ...next, itemId: next.speakerId }, expected.updatedAt, () =>
        concurrentChange('speaker', expected.speakerId),
      ),
      ...(voiceprintWrite ? [voiceprintWrite] : []),
      ...also,
    ]);
    return next;
  }

  /**
   * Records a successful authentication in LastAccessedAt, which Voice ID reports to the hour: so at most one
   * write per speaker per hour, and none that would overwrite a newer access or touch a speaker no longer enrolled.
   * The voiceprint's TTL moves with it, to `expiryMs` from now.
   */
  async recordAccess(speaker: SpeakerRecord, nowMs: number, expiryMs: number): Promise<void> {
    const hourStart = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
    if ((speaker.lastAccessedAt ?? 0) >= hourStart) return;
    await transactUnlessOvertaken(this.client, [
      {
        write: {
          Update: {
            TableName: this.tables.speakers,
            Key: { domainId: speaker.domainId, itemId: speaker.speakerId },
            UpdateExpression: 'SET lastAccessedAt = :now',
            ConditionExpression: '#status = :enrolled AND (attribute_not_exists(lastAccessedAt) OR lastAccessedAt < :hourStart)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':now': nowMs, ':enrolled': 'ENROLLED', ':hourStart': hourStart },
          },
        },
      },
      this.voiceprints.extend(speaker.domainId, { kind: 'speaker', id: speaker.speakerId }, nowMs + expiryMs),
    ]);
  }

  /**
   * ENROLLED speakers of every domain whose last access is before `cutoffMs`, a page at a time: the daily sweep's
   * candidates for expiry.
   */
  async *overdue(cutoffMs: number): AsyncGenerator<SpeakerRecord[]> {
    const scan = {
      TableName: this.tables.speakers,
      FilterExpression: `#status = :enrolled AND ${OVERDUE}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':enrolled': 'ENROLLED', ':cutoff': cutoffMs },
      ConsistentRead: true,
    };
    for await (const items of everyPage(this.client, { scan })) yield items.map(fromPartitionItem<SpeakerRecord>);
  }

  /**
   * Marks an overdue speaker EXPIRED and purges its voiceprint, together; false if it is no longer overdue (it was
   * authenticated or enrolled again since it was read) or no longer enrolled.
   */
  expire(speaker: SpeakerRecord, cutoffMs: number, nowMs: number): Promise<boolean> {
    return transactUnlessOvertaken(this.client, [
      {
        write: {
          Update: {
            TableName: this.tables.speakers,
            Key: { domainId: speaker.domainId, itemId: speaker.speakerId },
            UpdateExpression: 'SET #status = :expired, updatedAt = :now',
            ConditionExpression: `#status = :enrolled AND ${OVERDUE}`,
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':expired': 'EXPIRED',
              ':enrolled': 'ENROLLED',
              ':cutoff': cutoffMs,
              ':now': Math.max(nowMs, speaker.updatedAt + 1),
            },
          },
        },
      },
      this.voiceprints.remove(speaker.domainId, { kind: 'speaker', id: speaker.speakerId }),
    ]);
  }

  /** Removes the speaker, its voiceprint, its CustomerSpeakerId alias and its place in the quota, all or nothing. */
  async delete(speaker: SpeakerRecord): Promise<void> {
    const { domainId } = speaker;
    await transact(this.client, [
      this.voiceprints.remove(domainId, { kind: 'speaker', id: speaker.speakerId }),
      deleteIfUnchanged(this.tables.speakers, { domainId, itemId: speaker.speakerId }, speaker.updatedAt, () =>
        concurrentChange('speaker', speaker.speakerId),
      ),
      { write: { Delete: { TableName: this.tables.speakers, Key: { domainId, itemId: aliasKey(speaker.customerSpeakerId) } } } },
      this.counters.decrement(counterIds.speakers(domainId)),
    ]);
  }

  /** Every speaker of a domain, page by page. */
  async *all(domainId: string): AsyncGenerator<SpeakerRecord[]> {
    let page: Page<SpeakerRecord> | undefined;
    do {
      page = await this.list(domainId, 1000, page?.lastKey);
      yield page.items;
    } while (page.lastKey);
  }

  async list(domainId: string, limit: number, startKey?: PagePosition): Promise<Page<SpeakerRecord>> {
    const page = await queryPrefix(
      this.client,
      { TableName: this.tables.speakers, partition: { name: 'domainId', value: domainId }, sortKey: 'itemId', prefix: RECORD_PREFIX },
      limit,
      startKey,
    );
    return { items: page.items.map(fromPartitionItem<SpeakerRecord>), lastKey: page.lastKey };
  }

  /** A speaker's record; `speakerId` is a GeneratedSpeakerId, the record's sort key. */
  private async getRecord(domainId: string, speakerId: string): Promise<SpeakerRecord | undefined> {
    const item = await this.getItem(domainId, speakerId);
    return item && fromPartitionItem<SpeakerRecord>(item);
  }

  private async getItem(domainId: string, itemId: string): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tables.speakers, Key: { domainId, itemId }, ConsistentRead: true }),
    );
    return Item;
  }
}
