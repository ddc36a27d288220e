import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ResourceNotFoundException } from '#api-model/errors';
import { GENERATED_ID_PATTERN, type SpeakerRecord, type SpeakerStatus } from '#api-model/speaker';
import { fromPartitionItem, queryPrefix, RECORD_PREFIX } from './dynamodb.ts';
import type { Page, PagePosition } from './page.ts';
import { counterIds, type QuotaCounters } from './quota-counters.ts';
import { concurrentChange, deleteIfUnchanged, putIfUnchanged, transact } from './transactions.ts';

const aliasKey = (customerSpeakerId: string) => `alias#${customerSpeakerId}`;

export const speakerNotFound = (speakerId: string) =>
  new ResourceNotFoundException('SPEAKER', `The speaker ${speakerId} does not exist in this domain. Check the SpeakerId.`);

/**
 * Speakers of a domain, in one partition per domain: each speaker's record (sort key = its GeneratedSpeakerId)
 * and an alias item per CustomerSpeakerId (`alias#<id>`), written together so a CustomerSpeakerId is unique.
 */
export class SpeakerStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { speakers: string },
    private readonly counters: QuotaCounters,
  ) {}

  /** Finds a speaker by GeneratedSpeakerId or CustomerSpeakerId, the two forms Voice ID's SpeakerId takes. */
  async find(domainId: string, speakerId: string): Promise<SpeakerRecord | undefined> {
    if (GENERATED_ID_PATTERN.test(speakerId)) return this.getItem(domainId, speakerId);
    const alias = await this.getItem(domainId, aliasKey(speakerId));
    return alias ? this.getItem(domainId, alias.speakerId) : undefined;
  }

  async require(domainId: string, speakerId: string): Promise<SpeakerRecord> {
    const speaker = await this.find(domainId, speakerId);
    if (!speaker) throw speakerNotFound(speakerId);
    return speaker;
  }

  /**
   * Adds a speaker (enrollment, or an opt-out of a speaker never seen) within the domain's speaker quota. A
   * concurrent creation of the same CustomerSpeakerId loses with CONCURRENT_CHANGES.
   */
  async create(speaker: SpeakerRecord, quota: number): Promise<void> {
    await transact(this.client, [
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

  /** Sets a speaker's status (and when it was last accessed), unless another request changed it since `expected`. */
  async changeStatus(expected: SpeakerRecord, status: SpeakerStatus, nowMs: number, accessed = false): Promise<SpeakerRecord> {
    const next: SpeakerRecord = {
      ...expected,
      status,
      updatedAt: Math.max(nowMs, expected.updatedAt + 1),
      lastAccessedAt: accessed ? nowMs : expected.lastAccessedAt,
    };
    await transact(this.client, [
      putIfUnchanged(this.tables.speakers, { ...next, itemId: next.speakerId }, expected.updatedAt, () =>
        concurrentChange('speaker', expected.speakerId),
      ),
    ]);
    return next;
  }

  /** Removes the speaker, its CustomerSpeakerId alias and its place in the quota, all or nothing. */
  async delete(speaker: SpeakerRecord): Promise<void> {
    const { domainId } = speaker;
    await transact(this.client, [
      deleteIfUnchanged(this.tables.speakers, { domainId, itemId: speaker.speakerId }, speaker.updatedAt, () => concurrentChange('speaker', speaker.speakerId)),
      { write: { Delete: { TableName: this.tables.speakers, Key: { domainId, itemId: aliasKey(speaker.customerSpeakerId) } } } },
      this.counters.decrement(counterIds.speakers(domainId)),
    ]);
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

  private async getItem(domainId: string, itemId: string): Promise<any> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tables.speakers, Key: { domainId, itemId }, ConsistentRead: true }),
    );
    return Item && itemId.startsWith(RECORD_PREFIX) ? fromPartitionItem<SpeakerRecord>(Item) : Item;
  }
}

