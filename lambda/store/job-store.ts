import { BatchWriteCommand, type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ResourceNotFoundException, ServiceQuotaExceededException } from '#api-model/errors';
import type { EntryResult, JobRecord, JobStatus, JobType, ManifestRequest } from '#api-model/job';
import { EntryAlreadyDone, type JobEntry, type Jobs } from '#ports/jobs';
import type { Page, PagePosition } from '#ports/page';
import { everyPage, queryPrefix, writeUnlessOvertaken } from './dynamodb.ts';
import { type GuardedWrite, transact, transactUnlessOvertaken } from './transactions.ts';

const jobKey = (type: JobType, jobId: string) => `job#${type}#${jobId}`;
const activeKey = (type: JobType) => `active#${type}`;
const entryPrefix = (jobId: string) => `entry#${jobId}#`;
const batchPrefix = (jobId: string, batch: number) => `${entryPrefix(jobId)}${String(batch).padStart(6, '0')}#`;
/** Zero-padded, so that a job's entries sort in manifest order, batch by batch. */
const entryKey = (jobId: string, entry: { batch: number; index: number }) =>
  `${batchPrefix(jobId, entry.batch)}${String(entry.index).padStart(6, '0')}`;

const BATCH_WRITE_LIMIT = 25;
const MAX_UNPROCESSED_ROUNDS = 8;

export const jobNotFound = (jobId: string) =>
  new ResourceNotFoundException('BATCH_JOB', `The job ${jobId} does not exist in this domain. Check the JobId and the job type.`);

/**
 * Batch jobs of a domain, in one partition per domain: each job's record (`job#<type>#<JobId>`), the lock that
 * keeps one job of each type active (`active#<type>`), and the job's requests (`entry#<JobId>#<index>`), which
 * the workers mark done one by one. Describe and List answer from here, never from the state machine.
 */
export class JobStore implements Jobs {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Adds a SUBMITTED job; a domain runs one job of each type at a time (Voice ID's quota). */
  async create(job: JobRecord, tokenClaim?: GuardedWrite): Promise<void> {
    await transact(this.client, [
      { write: { Put: { TableName: this.tableName, Item: { ...job, itemId: jobKey(job.jobType, job.jobId) } } } },
      {
        write: {
          Put: {
            TableName: this.tableName,
            Item: { domainId: job.domainId, itemId: activeKey(job.jobType), jobId: job.jobId },
            ConditionExpression: 'attribute_not_exists(itemId)',
          },
        },
        onConditionFailed: () =>
          new ServiceQuotaExceededException(
            `The domain already has an active ${job.jobType === 'SPEAKER_ENROLLMENT' ? 'speaker enrollment' : 'fraudster registration'} job; a domain runs one at a time. Wait for it to end.`,
          ),
      },
      ...(tokenClaim ? [tokenClaim] : []),
    ]);
  }

  async find(domainId: string, type: JobType, jobId: string): Promise<JobRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { domainId, itemId: jobKey(type, jobId) }, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { itemId: _itemId, countedBatches: _counted, ...job } = Item;
    return job as JobRecord;
  }

  async require(domainId: string, type: JobType, jobId: string): Promise<JobRecord> {
    const job = await this.find(domainId, type, jobId);
    if (!job) throw jobNotFound(jobId);
    return job;
  }

  async list(
    domainId: string,
    type: JobType,
    status: JobStatus | undefined,
    limit: number,
    startKey?: PagePosition,
  ): Promise<Page<JobRecord>> {
    const page = await queryPrefix(
      this.client,
      {
        TableName: this.tableName,
        partition: { name: 'domainId', value: domainId },
        sortKey: 'itemId',
        prefix: `job#${type}#`,
        filter: status && { name: 'status', value: status },
      },
      limit,
      startKey,
    );
    return {
      items: page.items.map(({ itemId: _itemId, countedBatches: _counted, ...job }) => job as unknown as JobRecord),
      lastKey: page.lastKey,
    };
  }

  /**
   * Stores a job's requests, `batchSize` to a batch, and moves it to IN_PROGRESS. Run again for the same job
   * before any batch ran (a retried task), it writes the same items again.
   */
  async start(job: JobRecord, requests: ManifestRequest[], batchSize: number, nowMs: number): Promise<JobRecord> {
    const items = requests.map((request, index) => {
      const entry = { index, batch: Math.floor(index / batchSize), request };
      return { domainId: job.domainId, itemId: entryKey(job.jobId, entry), ...entry };
    });
    for (let start = 0; start < items.length; start += BATCH_WRITE_LIMIT) {
      let pending = items.slice(start, start + BATCH_WRITE_LIMIT).map((Item) => ({ PutRequest: { Item } }));
      for (let round = 0; pending.length; round++) {
        if (round === MAX_UNPROCESSED_ROUNDS)
          throw new Error(`DynamoDB left ${pending.length} job entries unwritten ${round} times in a row.`);
        if (round > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** round));
        const result = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (result.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      }
    }
    return this.update(job, { status: 'IN_PROGRESS', requestCount: requests.length, finishedCount: 0, updatedAt: nowMs }, 'SUBMITTED');
  }

  /** The entries of one batch of a job, in manifest order. */
  batch(job: JobRecord, batch: number): Promise<JobEntry[]> {
    return this.entriesUnder(job, batchPrefix(job.jobId, batch));
  }

  /** Every entry of a job, in manifest order. */
  entries(job: JobRecord): Promise<JobEntry[]> {
    return this.entriesUnder(job, entryPrefix(job.jobId));
  }

  private async entriesUnder(job: JobRecord, prefix: string): Promise<JobEntry[]> {
    const entries: JobEntry[] = [];
    const query = {
      TableName: this.tableName,
      KeyConditionExpression: 'domainId = :d AND begins_with(itemId, :p)',
      ExpressionAttributeValues: { ':d': job.domainId, ':p': prefix },
      ConsistentRead: true,
    };
    for await (const items of everyPage(this.client, { query })) {
      for (const item of items) {
        const { index, batch, request, result } = item as unknown as JobEntry;
        entries.push({ index, batch, request, result });
      }
    }
    return entries;
  }

  /**
   * The write that records an entry's result, only if it has none yet: put in the same transaction as the
   * entry's enrollment or registration, a retried entry is never enrolled, nor counted, twice.
   */
  entryDone(job: JobRecord, entry: JobEntry, result: EntryResult): GuardedWrite {
    return {
      write: {
        Update: {
          TableName: this.tableName,
          Key: { domainId: job.domainId, itemId: entryKey(job.jobId, entry) },
          UpdateExpression: 'SET #result = :result',
          ConditionExpression: 'attribute_exists(itemId) AND attribute_not_exists(#result)',
          ExpressionAttributeNames: { '#result': 'result' },
          ExpressionAttributeValues: { ':result': result },
        },
      },
      onConditionFailed: () => new EntryAlreadyDone(),
    };
  }

  /** Records an entry's result on its own (an error, a skipped duplicate); false when it had one already. */
  finishEntry(job: JobRecord, entry: JobEntry, result: EntryResult): Promise<boolean> {
    return transactUnlessOvertaken(this.client, [this.entryDone(job, entry, result)]);
  }

  /** Counts a finished batch towards JobProgress, once however often the batch runs. */
  async countBatch(job: JobRecord, batch: number, entries: number): Promise<void> {
    await writeUnlessOvertaken(
      this.client,
      new UpdateCommand({
        TableName: this.tableName,
        Key: { domainId: job.domainId, itemId: jobKey(job.jobType, job.jobId) },
        UpdateExpression: 'ADD finishedCount :n, countedBatches :batch',
        ConditionExpression: 'attribute_exists(itemId) AND NOT contains(countedBatches, :number)',
        ExpressionAttributeValues: { ':n': entries, ':batch': new Set([batch]), ':number': batch },
      }),
    );
  }

  /**
   * Ends an active job (COMPLETED, COMPLETED_WITH_ERRORS or FAILED) and frees the domain for the next one. A job
   * that has ended already is left as it is: ending is safe to repeat. True when this call ended it.
   */
  end(job: JobRecord, status: JobStatus, nowMs: number, failure?: JobRecord['failure']): Promise<boolean> {
    return transactUnlessOvertaken(this.client, [
      {
        write: {
          Update: {
            TableName: this.tableName,
            Key: { domainId: job.domainId, itemId: jobKey(job.jobType, job.jobId) },
            UpdateExpression: failure
              ? 'SET #status = :status, endedAt = :now, updatedAt = :now, failure = :failure'
              : 'SET #status = :status, endedAt = :now, updatedAt = :now',
            ConditionExpression: '#status IN (:submitted, :inProgress)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':status': status,
              ':now': nowMs,
              ':submitted': 'SUBMITTED',
              ':inProgress': 'IN_PROGRESS',
              ...(failure ? { ':failure': failure } : {}),
            },
          },
        },
      },
      {
        write: {
          Delete: {
            TableName: this.tableName,
            Key: { domainId: job.domainId, itemId: activeKey(job.jobType) },
            ConditionExpression: 'jobId = :jobId',
            ExpressionAttributeValues: { ':jobId': job.jobId },
          },
        },
      },
    ]);
  }

  /** Jobs of every domain that are still active: after a restart of the embedded stack, the ones to run again. */
  async activeJobs(): Promise<JobRecord[]> {
    const locks: { domainId: string; itemId: string; jobId: string }[] = [];
    const scan = {
      TableName: this.tableName,
      FilterExpression: 'begins_with(itemId, :active)',
      ExpressionAttributeValues: { ':active': 'active#' },
      ConsistentRead: true,
    };
    for await (const items of everyPage(this.client, { scan })) locks.push(...(items as typeof locks));
    const jobs = await Promise.all(
      locks.map((lock) => this.find(lock.domainId, lock.itemId.slice('active#'.length) as JobType, lock.jobId)),
    );
    return jobs.filter((job): job is JobRecord => job !== undefined);
  }

  private async update(job: JobRecord, change: Partial<JobRecord>, expectedStatus: JobStatus): Promise<JobRecord> {
    const names = Object.keys(change);
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { domainId: job.domainId, itemId: jobKey(job.jobType, job.jobId) },
        UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}`,
        ConditionExpression: '#status = :expectedStatus',
        ExpressionAttributeNames: Object.fromEntries([...names, 'status'].map((name) => [`#${name}`, name])),
        ExpressionAttributeValues: {
          ...Object.fromEntries(names.map((name) => [`:${name}`, change[name as keyof JobRecord]])),
          ':expectedStatus': expectedStatus,
        },
      }),
    );
    return { ...job, ...change };
  }
}

/** The entry has its result already: a retry after the first attempt's write landed. */
