import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** DynamoDB's own answer to a command, for an interceptor that lets a command through or changes its input. */
export type PassThrough = (command: unknown) => Promise<unknown>;

/**
 * Lets `intercept` answer every command the service's stores send through a DynamoDB document client in this test
 * file's module registry (stores made by serviceContext(), not the embedded stack's own handlers): only the AWS SDK
 * is stubbed, the stores run unchanged. `passThrough` sends a command to DynamoDB as the client would have.
 * Undo with jest.restoreAllMocks().
 */
export function interceptDynamoDb(intercept: (command: unknown, passThrough: PassThrough) => Promise<unknown>) {
  // The method is called below with the client it belongs to.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const realSend = DynamoDBDocumentClient.prototype.send as unknown as (this: DynamoDBDocumentClient, command: unknown) => Promise<unknown>;
  return jest.spyOn(DynamoDBDocumentClient.prototype, 'send').mockImplementation(function (this: DynamoDBDocumentClient, command: unknown) {
    return intercept(command, (c) => realSend.call(this, c)) as never;
  });
}
