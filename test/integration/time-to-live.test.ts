import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { newPrefixedId } from '#api-model/ids';
import { serviceTables } from '#test/support/clients';

/**
 * The embedded stack runs DynamoDB's Time to Live, which DynamoDB Local does not: an item whose `expiresAt` has
 * passed is deleted by no request of the service's, as in AWS (here within a second or two; in AWS within days).
 */
describe('Time to Live', () => {
  it('deletes items whose TTL has passed, and keeps the rest as DynamoDB does', async () => {
    const { names, client } = await serviceTables();
    const domainId = newPrefixedId();
    const now = Math.floor(Date.now() / 1000);
    const items = {
      due: now - 1,
      later: now + 3600,
      // DynamoDB ignores a TTL more than five years past (epoch milliseconds by mistake, say) and a non-number.
      ancient: now - 6 * 365 * 24 * 3600,
      text: String(now - 1),
      none: undefined,
    };
    for (const [itemId, expiresAt] of Object.entries(items)) {
      await client.send(new PutCommand({ TableName: names.sessions, Item: { domainId, itemId, expiresAt } }));
    }
    const present = async (itemId: string) =>
      (await client.send(new GetCommand({ TableName: names.sessions, Key: { domainId, itemId }, ConsistentRead: true }))).Item !==
      undefined;

    const deadline = Date.now() + 20_000;
    while ((await present('due')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await present('due')).toBe(false);
    for (const kept of ['later', 'ancient', 'text', 'none']) expect(await present(kept)).toBe(true);
  });
});
