import { type DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictException } from '#api-model/errors';
import { isConditionFailure, type TransactItem } from './dynamodb.ts';

/** The refusal of a write whose record another request changed since the caller read it (optimistic locking). */
export function concurrentChange(resource: 'domain' | 'watchlist' | 'speaker' | 'fraudster' | 'session', id: string): ConflictException {
  return new ConflictException(
    'CONCURRENT_CHANGES',
    `The ${resource} ${id} was changed by another request while this one ran. Describe it and try again.`,
  );
}

/** One write of a transaction, with the error to raise when its condition is what cancelled the transaction. */
export interface GuardedWrite {
  write: TransactItem;
  onConditionFailed?: () => Error;
}

/**
 * Writes all or nothing. When a condition fails, the caller learns which one (the first failed write's
 * `onConditionFailed`); when another transaction touched the same items at the same moment, the caller gets
 * CONCURRENT_CHANGES and may retry.
 */
export async function transact(client: DynamoDBDocumentClient, writes: GuardedWrite[]): Promise<void> {
  try {
    await client.send(new TransactWriteCommand({ TransactItems: writes.map((w) => w.write) }));
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
    const failed = reasons.findIndex((reason) => reason.Code === 'ConditionalCheckFailed');
    const explain = failed >= 0 ? writes[failed]?.onConditionFailed : undefined;
    if (explain) throw explain();
    if (reasons.some((reason) => reason.Code === 'TransactionConflict')) {
      throw new ConflictException('CONCURRENT_CHANGES', 'Another request changed the same resources at the same time. Retry the request.');
    }
    throw error;
  }
}

/**
 * One conditional put, outside a transaction: as atomic as a transaction of one write, at half the cost (AWS bills
 * a transactional write twice; DynamoDB Local coordinates it besides), for records saved several times a second.
 */
export async function putAlone(client: DynamoDBDocumentClient, { write, onConditionFailed }: GuardedWrite): Promise<void> {
  try {
    await client.send(new PutCommand(write.Put!));
  } catch (error) {
    if (isConditionFailure(error) && onConditionFailed) throw onConditionFailed();
    // A plain write meeting a transaction in progress on the same item.
    if (error instanceof Error && error.name === 'TransactionConflictException') {
      throw new ConflictException('CONCURRENT_CHANGES', 'Another request changed the same resources at the same time. Retry the request.');
    }
    throw error;
  }
}

/**
 * Writes all or nothing, for a change whose conditions fail only when another request got there first (the change
 * is made, or no longer due): false then, instead of an error.
 */
export async function transactUnlessOvertaken(client: DynamoDBDocumentClient, writes: GuardedWrite[]): Promise<boolean> {
  try {
    await transact(
      client,
      writes.map((write) => ({ ...write, onConditionFailed: () => new Overtaken() })),
    );
    return true;
  } catch (error) {
    if (error instanceof Overtaken) return false;
    throw error;
  }
}

class Overtaken extends Error {
  readonly name = 'Overtaken';
}

/**
 * Saves a record whole, only if the stored one still has the `updatedAt` the caller read (optimistic locking):
 * a change made by another request in between is never overwritten.
 */
const UNCHANGED = 'attribute_not_exists(deletedAt) AND updatedAt = :expectedUpdatedAt';

export function putIfUnchanged(
  tableName: string,
  item: Record<string, unknown>,
  expectedUpdatedAt: number,
  onConditionFailed: () => Error,
): GuardedWrite {
  return {
    write: {
      Put: {
        TableName: tableName,
        Item: item,
        ConditionExpression: UNCHANGED,
        ExpressionAttributeValues: { ':expectedUpdatedAt': expectedUpdatedAt },
      },
    },
    onConditionFailed,
  };
}

/** Deletes a record only if it is still the one the caller read, like putIfUnchanged. */
export function deleteIfUnchanged(
  tableName: string,
  key: Record<string, unknown>,
  expectedUpdatedAt: number,
  onConditionFailed: () => Error,
): GuardedWrite {
  return {
    write: {
      Delete: {
        TableName: tableName,
        Key: key,
        ConditionExpression: UNCHANGED,
        ExpressionAttributeValues: { ':expectedUpdatedAt': expectedUpdatedAt },
      },
    },
    onConditionFailed,
  };
}
