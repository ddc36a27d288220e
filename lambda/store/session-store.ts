import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DomainRecord } from '#api-model/domain';
import { ResourceNotFoundException, ValidationException } from '#api-model/errors';
import { isEnded, SESSION_IDLE_MS, type SessionRecord } from '#api-model/session';
import type { DomainKey } from '#ports/domains';
import type { ReEncryptedPage } from '#ports/encryption';
import { SessionChanged, type Sessions } from '#ports/sessions';
import type { DomainStore } from './domain-store.ts';
import { batchGet, everyPage, getTogether, nowInSeconds, writeUnlessOvertaken } from './dynamodb.ts';
import { type DomainEncryption, RE_ENCRYPTION_PAGE_SIZE } from './envelope.ts';
import { concurrentChange, type GuardedWrite, putAlone, putIfUnchanged, transact } from './transactions.ts';

const SESSION_PREFIX = 'session#';
const sessionKey = (sessionId: string) => `${SESSION_PREFIX}${sessionId}`;
const nameKey = (sessionName: string) => `name#${sessionName}`;
const LIVE_PREFIX = 'live#';
const liveKey = (sessionId: string) => `${LIVE_PREFIX}${sessionId}`;
// `/` is in no SpeakerId, so one speaker's prefix never matches another's (a CustomerSpeakerId may be `id`).
const SPEAKER_PREFIX = 'speaker#';
const speakerPrefix = (speakerId: string) => `${SPEAKER_PREFIX}${speakerId}/`;
const speakerKey = (speakerId: string, sessionId: string) => `${speakerPrefix(speakerId)}${sessionId}`;
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
 *
 * A domain keeps a day and a half of sessions, so two small index items spare the operations that need a few of
 * them a read of all: `live#<SessionId>` while the session may still take audio (the concurrency quota counts
 * these), and `speaker#<SpeakerId>/<SessionId>` for each speaker id the session names or enrolled (an opt-out or
 * deletion finds the sessions holding that speaker's speech by them). Both are written in the transaction that
 * changes what they index.
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

  /**
   * How many sessions of the domain are still live (not ended, not idle past the limit): the concurrency quota.
   * Reads the `live#` items only. One younger than the idle limit is live for sure (EndSession deletes it); an older
   * one is checked against its session, and deleted once that has ended by itself (a dropped call, idle or too long),
   * which it cannot undo.
   */
  async countLive(domainId: string, nowMs: number): Promise<number> {
    let live = 0;
    const older: string[] = [];
    for await (const markers of everyPage(this.client, { query: this.prefixQuery(domainId, LIVE_PREFIX) })) {
      for (const marker of markers as unknown as LiveMarker[]) {
        if (nowMs - marker.createdAt < SESSION_IDLE_MS) live++;
        else older.push(marker.sessionId);
      }
    }
    const sessions = await batchGet(
      this.client,
      this.tableName,
      older.map((sessionId) => ({ domainId, itemId: sessionKey(sessionId) })),
      { expression: 'sessionId, createdAt, lastAudioAt, endedAt' },
    );
    const stillLive = new Set(sessions.filter((session) => !isEnded(session as unknown as LiveMarker, nowMs)).map((s) => s.sessionId));
    for (const sessionId of older) {
      if (stillLive.has(sessionId)) live++;
      else await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { domainId, itemId: liveKey(sessionId) } }));
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
      this.putIndex(session, liveKey(session.sessionId), { createdAt: session.createdAt }),
      ...this.indexChanges(undefined, session),
    ]);
  }

  /**
   * Saves a session's new state, with its speech stream sealed under the domain's key (none once its speech was
   * erased), only if nobody changed the session since `expected` was read (SessionChanged, unless the caller names
   * another error).
   */
  async save(
    domain: DomainKey,
    expected: SessionRecord,
    next: SessionRecord,
    stream: Uint8Array | undefined,
    onConflict: () => Error = () => new SessionChanged(),
  ): Promise<SessionRecord> {
    const saved: SessionRecord = {
      ...next,
      updatedAt: Math.max(next.updatedAt, expected.updatedAt + 1),
      stream: stream && (await this.encryption.seal(domain, stream, streamAad(next.sessionId))),
    };
    await this.write(expected, saved, onConflict);
    return saved;
  }

  /** Like save, for changes a caller makes (speaker, end): a concurrent change is CONCURRENT_CHANGES. */
  async update(expected: SessionRecord, next: SessionRecord): Promise<SessionRecord> {
    const saved = { ...next, updatedAt: Math.max(next.updatedAt, expected.updatedAt + 1) };
    await this.write(expected, saved, () => concurrentChange('session', expected.sessionId));
    return saved;
  }

  /**
   * Writes the record if it is still `expected`, with the index items its change calls for in the same transaction;
   * a change that touches no index (a chunk of audio, most writes) is one conditional put.
   */
  private async write(expected: SessionRecord, saved: SessionRecord, onConflict: () => Error): Promise<void> {
    const record = putIfUnchanged(this.tableName, { ...saved, itemId: sessionKey(saved.sessionId) }, expected.updatedAt, onConflict);
    const index = this.indexChanges(expected, saved);
    if (expected.endedAt === undefined && saved.endedAt !== undefined) index.push(this.deleteIndex(saved, liveKey(saved.sessionId)));
    if (!index.length) return putAlone(this.client, record);
    await transact(this.client, [record, ...index]);
  }

  /** The `speaker#` items a session's change adds and removes: one per speaker id it names or enrolled. */
  private indexChanges(before: SessionRecord | undefined, after: SessionRecord): GuardedWrite[] {
    const named = (session?: SessionRecord) => new Set([session?.speakerId, session?.enrolledSpeakerId].filter((id) => id !== undefined));
    const [was, is] = [named(before), named(after)];
    return [
      ...[...is].filter((id) => !was.has(id)).map((id) => this.putIndex(after, speakerKey(id, after.sessionId), { speakerId: id })),
      ...[...was].filter((id) => !is.has(id)).map((id) => this.deleteIndex(after, speakerKey(id, after.sessionId))),
    ];
  }

  /** An index item of the session's, expiring with the session at the latest (the record's expiry only comes closer). */
  private putIndex(session: SessionRecord, itemId: string, attributes: Record<string, unknown>): GuardedWrite {
    const item = { domainId: session.domainId, itemId, sessionId: session.sessionId, expiresAt: session.expiresAt, ...attributes };
    return { write: { Put: { TableName: this.tableName, Item: item } } };
  }

  private deleteIndex(session: SessionRecord, itemId: string): GuardedWrite {
    return { write: { Delete: { TableName: this.tableName, Key: { domainId: session.domainId, itemId } } } };
  }

  /**
   * Erases the speech of every session that names a speaker (by either of its ids) or enrolled it, found by their
   * `speaker#` items: run when the speaker is deleted, opts out or expires, so that no biometric data of theirs
   * outlives the request. Each erasure also moves the session's `updatedAt` on, so that a request that read the
   * session before (a chunk being embedded, an EndSession) fails its conditional write instead of writing the old
   * speech back, and marks the session so that it embeds nothing more. The sessions stay, with their counts, as the
   * record of the calls.
   */
  async purgeSpeakerStreams(domainId: string, speakerIds: string[], nowMs: number): Promise<number> {
    const sessionIds = new Set<string>();
    for (const speakerId of new Set(speakerIds)) {
      for await (const markers of everyPage(this.client, { query: this.prefixQuery(domainId, speakerPrefix(speakerId)) })) {
        for (const marker of markers) sessionIds.add(marker.sessionId as string);
      }
    }
    let purged = 0;
    for (const sessionId of sessionIds) {
      const erased = await writeUnlessOvertaken(
        this.client,
        new UpdateCommand({
          TableName: this.tableName,
          Key: { domainId, itemId: sessionKey(sessionId) },
          UpdateExpression:
            'REMOVE #stream SET speechSeconds = :zero, speechErasedAt = if_not_exists(speechErasedAt, :now), updatedAt = updatedAt + :one',
          // The session may have expired and gone since its index item was read: nothing is left to erase then.
          ConditionExpression: 'attribute_exists(itemId)',
          ExpressionAttributeNames: { '#stream': 'stream' },
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':now': nowMs },
        }),
      );
      if (erased) purged++;
    }
    return purged;
  }

  /** The speaker ids (either form) that sessions of a domain holding speech name or enrolled: for audits. */
  async speakersWithSpeech(domainId: string): Promise<Set<string>> {
    const speakersOf = new Map<string, string[]>();
    for await (const markers of everyPage(this.client, { query: this.prefixQuery(domainId, SPEAKER_PREFIX) })) {
      for (const { sessionId, speakerId } of markers as { sessionId: string; speakerId: string }[]) {
        speakersOf.set(sessionId, [...(speakersOf.get(sessionId) ?? []), speakerId]);
      }
    }
    const holding = await batchGet(
      this.client,
      this.tableName,
      [...speakersOf.keys()].map((sessionId) => ({ domainId, itemId: sessionKey(sessionId) })),
      { expression: 'sessionId, #stream.kmsKeyArn', names: { '#stream': 'stream' } },
    );
    return new Set(holding.filter((session) => session.stream).flatMap((session) => speakersOf.get(session.sessionId as string) ?? []));
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

  /** Every item of a domain's partition whose key starts with `prefix`, read consistently. */
  private prefixQuery(domainId: string, prefix: string) {
    return {
      TableName: this.tableName,
      KeyConditionExpression: 'domainId = :domainId AND begins_with(itemId, :prefix)',
      ExpressionAttributeValues: { ':domainId': domainId, ':prefix': prefix },
      ConsistentRead: true,
    };
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

/** A `live#` item, and the part of its session that says whether the session has ended. */
type LiveMarker = Pick<SessionRecord, 'sessionId' | 'createdAt' | 'lastAudioAt' | 'endedAt'>;
