import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ServiceConfig } from '#config';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export function documentClient(config: ServiceConfig): DynamoDBDocumentClient {
  const client = new DynamoDBClient({ region: config.region, endpoint: config.endpoints.dynamodb });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** Which items of a cancelled transaction failed their condition, by index; empty when it failed for another reason. */
export function failedConditions(error: unknown): number[] {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return [];
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

export const nowInSeconds = (ms: number) => Math.floor(ms / 1000);
