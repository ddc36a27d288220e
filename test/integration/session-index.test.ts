import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { SESSION_IDLE_MS } from '#api-model/session';
import type { SessionClient } from '#connectors/session-client';
import { sessions } from '#test/support/calls';
import { serviceContext } from '#test/support/clients';
import { interceptDynamoDb } from '#test/support/dynamodb-faults';
import { newDomain } from '#test/support/voice-id-errors';

/**
 * A domain keeps a day and a half of sessions (70-300 MB for a busy one), so the operations that need a few of
 * them must not read them all: StartSession counts the live ones by their `live#` items, and an opt-out or
 * deletion finds the sessions of its speaker by their `speaker#` items. The reads are watched at the AWS SDK.
 */
describe('sessions are found without reading the domain’s sessions', () => {
  let client: SessionClient;
  let domainId: string;
  const ids: string[] = [];
  afterEach(() => jest.restoreAllMocks());

  beforeAll(async () => {
    client = await sessions();
    domainId = (await newDomain('session-index')).DomainId!;
    for (let n = 0; n < 12; n++) {
      const { Session } = await client.startSession({ DomainId: domainId, SessionName: `contact-${n}`, SpeakerId: `caller-${n % 3}` });
      ids.push(Session.SessionId);
    }
    for (const sessionId of ids.slice(0, 9)) await client.end(domainId, sessionId);
  });

  /** What one call of `run` reads from the Sessions table: each Query's sort key prefix, and the keys it batch-gets. */
  const sessionReads = async (run: () => Promise<unknown>) => {
    const reads: string[] = [];
    interceptDynamoDb((command, send) => {
      if (command instanceof QueryCommand) reads.push(`query ${String(command.input.ExpressionAttributeValues?.[':prefix'])}`);
      else if (command instanceof BatchGetCommand) reads.push('batch-get');
      return send(command);
    });
    await run();
    jest.restoreAllMocks();
    return reads;
  };

  it('counts live sessions by their live# items alone, and forgets those that ended by themselves', async () => {
    const ctx = await serviceContext();
    let live = 0;
    expect(await sessionReads(async () => (live = await ctx.sessions.countLive(domainId, Date.now())))).toEqual(['query live#']);
    expect(live).toBe(3);

    // Two hours on, the three were dropped without EndSession: each is checked against its session once, then gone.
    const later = Date.now() + 2 * SESSION_IDLE_MS;
    expect(await sessionReads(async () => (live = await ctx.sessions.countLive(domainId, later)))).toEqual(['query live#', 'batch-get']);
    expect(live).toBe(0);
    expect(await sessionReads(async () => (live = await ctx.sessions.countLive(domainId, later)))).toEqual(['query live#']);
    expect(live).toBe(0);
  });

  it('finds the sessions of one speaker by their speaker# items alone', async () => {
    const ctx = await serviceContext();
    let purged = 0;
    const reads = await sessionReads(async () => (purged = await ctx.sessions.purgeSpeakerStreams(domainId, ['caller-1'], Date.now())));
    expect(reads).toEqual(['query speaker#caller-1/']);
    expect(purged).toBe(4);
  });
});
