import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainRecord } from '#api-model/domain';
import { ResourceNotFoundException, ValidationException } from '#api-model/errors';
import { isEnded, type SessionRecord } from '#api-model/session';
import type { DomainKey } from '#ports/domains';
import type { ReEncryptedPage } from '#ports/encryption';
import { SessionChanged, type Sessions } from '#ports/sessions';
import type { DomainStore } from './domain-store.ts';
import { everyPage, getTogether, nowInSeconds, writeUnlessOvertaken } from './dynamodb.ts';
import { type DomainEncryption, RE_ENCRYPTION_PAGE_SIZE } from './envelope.ts';
import { concurrentChange, putAlone, putIfUnchanged, transact } from './transactions.ts';

const SESSION_PREFIX = 'session#';
const sessionKey = (sessionId: string) => `${SESSION_PREFIX}${sessionId}`;
const nameKey = (sessionName: string) => `name#${sessionName}`;
const SESSION_ID_PATTERN = /^id#[a-zA-Z0-9]{22}$/;

export const sessionNotFound = (nameOrId: string) =>
  new ResourceNotFoundException(
    'SESSION',
    `There is no session ${nameOrId} in this domain (sessions are kept for a day after they end). Check the SessionNameOrId.`,
  );

/**
 * Live call sessions of a domain, one partition per domain: the record (`session#<SessionId>`) and an alias per
 * SessionName (`name#<SessionName>`). The speech stream's state is sealed under the domain's KMS key before it is
 * written, and the record carries its own expiry (reads check it; DynamoDB TTL deletes it later).
 */
export class SessionStore implements Sessions {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly encryption: DomainEncryption,
    private readonly domains: DomainStore,
  ) {}

  /**
   * The domain, which must exist, and one of its sessions by SessionId or SessionName, unless it has expired: what
   * every session operation starts from. The domain is read with the session (or its name's alias) in one request,
   * as live calls ask several times a second.
   */
  async requireWithDomain(domainId: string, nameOrId: string, nowMs: number): Promise<{ domain: DomainRecord; session: SessionRecord }> {
    const byId = SESSION_ID_PATTERN.test(nameOrId);
    const [domainItem, item] = await getTogether(this.client, [
      this.domains.itemRead(domainId),
      { TableName: this.tableName, Key: { domainId, itemId: byId ? sessionKey(nameOrId) : nameKey(nameOrId) } },
    ]);
    const domain = this.domains.fromItem(domainId, domainItem);
    const found = unexpired(item, nowMs);
    const sessionItem = byId || !found ? found : await this.getItem(domainId, sessionKey(found.sessionId as string), nowMs);
    if (!sessionItem) throw sessionNotFound(nameOrId);
    const { itemId: _itemId, ...session } = sessionItem;
    return { domain, session: session as unknown as SessionRecord };
  }

  /** How many sessions of the domain are still live (not ended, not idle past the limit): the concurrency quota. */
  async countLive(domainId: string, nowMs: number): Promise<number> {
    let live = 0;
    for await (const session of this.sessionsOf(domainId, 'attribute_not_exists(endedAt) AND expiresAt > :now', {
      ':now': nowInSeconds(nowMs),
    })) {
      if (!isEnded(session, nowMs)) live++;
    }
    return live;
  }

  /** Adds a session; its SessionName must not name another session still kept in this domain. */
  async create(session: SessionRecord, nowMs: number): Promise<void> {
    await transact(this.client, [
      {
        write: {
          Put: {
            TableName: this.tableName,
            Item: { ...session, itemId: sessionKey(session.sessionId) },
            ConditionExpression: 'attribute_not_exists(itemId)',
          },
        },
      },
      {
        write: {
          Put: {
            TableName: this.tableName,
            Item: {
              domainId: session.domainId,
              itemId: nameKey(session.sessionName),
              sessionId: session.sessionId,
              expiresAt: session.expiresAt,
            },
            ConditionExpression: 'attribute_not_exists(itemId) OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': nowInSeconds(nowMs) },
          },
        },
        onConditionFailed: () =>
          new ValidationException(
            `The SessionName ${session.sessionName} is used by another session of this domain, which is kept until a day after it ends. Use a new SessionName (in a contact centre, the contact id).`,
          ),
      },
    ]);
  }

  /**
   * Saves a session's new state, with its speech stream sealed under the domain's key, only if nobody changed the
   * session since `expected` was read (SessionChanged, unless the caller names another error).
   */
  async save(
    domain: DomainKey,
    expected: SessionRecord,
    next: SessionRecord,
    stream: Uint8Array,
    onConflict: () => Error = () => new SessionChanged(),
  ): Promise<SessionRecord> {
    const saved: SessionRecord = {
      ...next,
      updatedAt: Math.max(next.updatedAt, expected.updatedAt + 1),
      stream: await this.encryption.seal(domain, stream, streamAad(next.sessionId)),
    };
    await putAlone(
      this.client,
      putIfUnchanged(this.tableName, { ...saved, itemId: sessionKey(saved.sessionId) }, expected.updatedAt, onConflict),
    );
    return saved;
  }

  /** Like save, for changes a caller makes (speaker, end): a concurrent change is CONCURRENT_CHANGES. */
  async update(expected: SessionRecord, next: SessionRecord): Promise<SessionRecord> {
    const saved = { ...next, updatedAt: Math.max(next.updatedAt, expected.updatedAt + 1) };
    await putAlone(
      this.client,
      putIfUnchanged(this.tableName, { ...saved, itemId: sessionKey(saved.sessionId) }, expected.updatedAt, () =>
        concurrentChange('session', expected.sessionId),
      ),
    );
    return saved;
  }

  /**
   * Erases the speech of every session that names a speaker (by either of its ids) or enrolled it: run when the
   * speaker is deleted or opts out, so that no biometric data of theirs outlives the request. The sessions stay,
   * with their counts, as the record of the calls.
   */
  async purgeSpeakerStreams(domainId: string, speakerIds: string[]): Promise<number> {
    let purged = 0;
    for await (const session of this.sessionsOf(domainId, 'attribute_exists(#stream)', {}, { '#stream': 'stream' })) {
      const named = [session.speakerId, session.enrolledSpeakerId].some((id) => id !== undefined && speakerIds.includes(id));
      if (!named) continue;
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { domainId, itemId: sessionKey(session.sessionId) },
          UpdateExpression: 'REMOVE #stream SET speechSeconds = :zero',
          ExpressionAttributeNames: { '#stream': 'stream' },
          ExpressionAttributeValues: { ':zero': 0 },
        }),
      );
      purged++;
    }
    return purged;
  }

  /** The speaker ids (either form) that sessions of a domain holding speech name or enrolled: for audits. */
  async speakersWithSpeech(domainId: string): Promise<Set<string>> {
    const named = new Set<string>();
    for await (const session of this.sessionsOf(domainId, 'attribute_exists(#stream)', {}, { '#stream': 'stream' })) {
      for (const id of [session.speakerId, session.enrolledSpeakerId]) if (id !== undefined) named.add(id);
    }
    return named;
  }

  /**
   * Re-seals under the domain's current key (whose ARN is `keyArn`) the speech stream of each session of one page
   * that is sealed under another key, written only if the session still holds the stream that was read: a call
   * that saved newer speech meanwhile keeps it. The session's `updatedAt` is left alone, so live calls are not
   * refused as concurrent changes.
   */
  async reEncryptPage(domain: DomainKey, keyArn: string, startKey?: Record<string, unknown>): Promise<ReEncryptedPage> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'domainId = :domainId AND begins_with(itemId, :prefix)',
        FilterExpression: 'attribute_exists(#stream) AND #stream.kmsKeyArn <> :arn',
        ExpressionAttributeNames: { '#stream': 'stream' },
        ExpressionAttributeValues: { ':domainId': domain.domainId, ':prefix': SESSION_PREFIX, ':arn': keyArn },
        ExclusiveStartKey: startKey,
        Limit: RE_ENCRYPTION_PAGE_SIZE,
        ConsistentRead: true,
      }),
    );
    const sessions = (page.Items ?? []) as (SessionRecord & { itemId: string })[];
    let resealed = 0;
    for (const session of sessions) {
      const plaintext = await this.encryption.open(domain, session.stream!, streamAad(session.sessionId));
      const sealed = await this.encryption.seal(domain, plaintext, streamAad(session.sessionId));
      const written = await writeUnlessOvertaken(
        this.client,
        new UpdateCommand({
          TableName: this.tableName,
          Key: { domainId: domain.domainId, itemId: session.itemId },
          UpdateExpression: 'SET #stream = :sealed',
          ConditionExpression: '#stream.ciphertext = :read',
          ExpressionAttributeNames: { '#stream': 'stream' },
          ExpressionAttributeValues: { ':sealed': sealed, ':read': session.stream!.ciphertext },
        }),
      );
      if (written) resealed++;
    }
    return { found: sessions.length, resealed, lastKey: page.LastEvaluatedKey };
  }

  /** Every session record of a domain that passes `filter`, page by page (a domain keeps its sessions a day). */
  private async *sessionsOf(
    domainId: string,
    filter: string,
    values: Record<string, unknown>,
    names?: Record<string, string>,
  ): AsyncGenerator<SessionRecord> {
    const query = {
      TableName: this.tableName,
      KeyConditionExpression: 'domainId = :domainId AND begins_with(itemId, :prefix)',
      FilterExpression: filter,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':domainId': domainId, ':prefix': SESSION_PREFIX, ...values },
      ConsistentRead: true,
    };
    for await (const items of everyPage(this.client, { query })) yield* items as unknown as SessionRecord[];
  }

  /** The session's speech stream state, decrypted in memory; undefined before its first audio. */
  async openStream(domain: DomainKey, session: SessionRecord): Promise<Uint8Array | undefined> {
    if (!session.stream) return undefined;
    return this.encryption.open(domain, session.stream, streamAad(session.sessionId));
  }

  private async getItem(domainId: string, itemId: string, nowMs: number): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { domainId, itemId }, ConsistentRead: true }));
    return unexpired(Item, nowMs);
  }
}

/** TTL deletion lags (days in AWS, never in DynamoDB Local): an expired record is gone for every read. */
function unexpired(item: Record<string, unknown> | undefined, nowMs: number): Record<string, unknown> | undefined {
  return item && (item.expiresAt as number) > nowInSeconds(nowMs) ? item : undefined;
}

const streamAad = (sessionId: string) => `session-stream\n${sessionId}`;
