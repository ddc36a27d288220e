/**
 * `npm run bench:sweep`: the daily expiry sweep over many speakers on the embedded stack (`npm start`'s program in
 * a child process, DynamoDB Local on disk). It seeds BENCH_SPEAKERS (100,000) enrolled speakers, each with its
 * CustomerSpeakerId alias and a voiceprint item, BENCH_OVERDUE_PERCENT (1) % of them idle past the three-year
 * expiry, then runs the sweep (lambda/workflows/expire-speakers.ts, as the sweeper runs it) and reports its time,
 * the DynamoDB requests it sent and the items it read and wrote. A second sweep shows the cost of a day with
 * nothing to expire.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateDomainCommand, VoiceIDClient } from '@aws-sdk/client-voice-id';
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { newPrefixedId } from '#api-model/ids';
import { createContext } from '#composition';
import { loadConfig } from '#config';
import { loadOrCreateSecrets } from '#lib/local/embedded-stack';
import { applyHandlerEnvironment } from '#lib/local/handler-environment';
import { synthesizeTemplate } from '#lib/local/template';
import { startStackProcess } from '#test/support/stack-process';
import { expireSpeakers } from '#workflows/expire-speakers';

const SPEAKERS = Number(process.env.BENCH_SPEAKERS ?? 100_000);
const OVERDUE_PERCENT = Number(process.env.BENCH_OVERDUE_PERCENT ?? 1);
const DAY = 24 * 3600 * 1000;
const THREE_YEARS = 3 * 365 * DAY;

/** Counts what the sweep asks of DynamoDB, at the AWS SDK. */
function countRequests() {
  const counts = { scans: 0, scannedItems: 0, transactions: 0, transactionItems: 0, other: 0 };
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const send = DynamoDBDocumentClient.prototype.send as (this: DynamoDBDocumentClient, command: unknown) => Promise<unknown>;
  DynamoDBDocumentClient.prototype.send = async function (this: DynamoDBDocumentClient, command: unknown) {
    const result = (await send.call(this, command)) as { ScannedCount?: number };
    if (command instanceof ScanCommand) {
      counts.scans++;
      counts.scannedItems += result.ScannedCount ?? 0;
    } else if (command instanceof TransactWriteCommand) {
      counts.transactions++;
      counts.transactionItems += command.input.TransactItems?.length ?? 0;
    } else counts.other++;
    return result;
  } as never;
  return counts;
}

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'voice-id-bench-sweep-'));
  const stack = await startStackProcess({}, dataDir);
  try {
    const e = stack.endpoints;
    applyHandlerEnvironment(synthesizeTemplate(), e, loadOrCreateSecrets(path.join(dataDir, 'local-secrets.json')).tokenSecret, dataDir);
    const config = loadConfig();
    const ctx = await createContext(config);
    const voiceId = new VoiceIDClient({ endpoint: e.voiceId, region: e.region, credentials: e.credentials });
    const { Domain } = await voiceId.send(
      new CreateDomainCommand({ Name: 'sweep-bench', ServerSideEncryptionConfiguration: { KmsKeyId: e.defaultKmsKeyArn } }),
    );
    const domainId = Domain!.DomainId!;

    const raw = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: e.dynamodb, region: e.region, credentials: e.credentials }));
    const now = Date.now();
    let started = performance.now();
    const overdueEvery = Math.round(100 / OVERDUE_PERCENT);
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < SPEAKERS; i += 8) {
      const items: Record<'speakers' | 'voiceprints', { PutRequest: { Item: Record<string, unknown> } }[]> = {
        speakers: [],
        voiceprints: [],
      };
      for (let j = i; j < Math.min(i + 8, SPEAKERS); j++) {
        const speakerId = newPrefixedId();
        const lastAccessedAt = j % overdueEvery === 0 ? now - THREE_YEARS - DAY : now - (j % 1000) * DAY;
        const record = {
          domainId,
          itemId: speakerId,
          speakerId,
          customerSpeakerId: `caller-${j}`,
          status: 'ENROLLED',
          createdAt: lastAccessedAt,
          updatedAt: lastAccessedAt,
          lastAccessedAt,
        };
        items.speakers.push(
          { PutRequest: { Item: record } },
          { PutRequest: { Item: { domainId, itemId: `alias#caller-${j}`, speakerId } } },
        );
        items.voiceprints.push({
          PutRequest: {
            Item: {
              domainId,
              ownerId: `speaker#${speakerId}`,
              model: 'bench',
              kmsKeyArn: e.defaultKmsKeyArn,
              ciphertext: new Uint8Array(1040),
            },
          },
        });
      }
      writes.push(
        raw.send(
          new BatchWriteCommand({
            RequestItems: { [config.tables.speakers]: items.speakers, [config.tables.voiceprints]: items.voiceprints },
          }),
        ),
      );
      if (writes.length >= 16) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    console.log(`seeded ${SPEAKERS} speakers (${SPEAKERS * 3} items) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const counts = countRequests();
    started = performance.now();
    const first = await expireSpeakers(ctx);
    const seconds = (performance.now() - started) / 1000;
    console.log(`sweep: ${first.expiredSpeakers} expired of ${SPEAKERS} in ${seconds.toFixed(1)} s`);
    console.log(
      `  ${counts.scans} scans reading ${counts.scannedItems} items; ${counts.transactions} transactions writing ${counts.transactionItems} items; ${counts.other} other requests`,
    );
    Object.assign(counts, { scans: 0, scannedItems: 0, transactions: 0, transactionItems: 0, other: 0 });
    started = performance.now();
    const second = await expireSpeakers(ctx);
    console.log(
      `second sweep: ${second.expiredSpeakers} expired in ${((performance.now() - started) / 1000).toFixed(1)} s; ${counts.scans} scans reading ${counts.scannedItems} items`,
    );
    await ctx.speech.close();
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
