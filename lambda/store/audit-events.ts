import { appendFile } from 'node:fs/promises';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { AuditEvent } from '#api-model/audit-event';
import type { ServiceConfig } from '#config';
import { logger, tracer } from '#observability';
import type { AuditEvents } from '#ports/audit-events';

/**
 * Where audit events go: EventBridge in AWS, a JSON-lines file in the embedded stack. Delivery is best effort, as
 * Voice ID's was: publishing never throws, and a failure is logged (with the events' ids, not their content) without
 * failing the transaction it reports.
 */

/** PutEvents takes at most 10 entries per call. */
export const PUT_EVENTS_BATCH = 10;

export class EventBridgeAuditEvents implements AuditEvents {
  constructor(
    private readonly client: Pick<EventBridgeClient, 'send'>,
    private readonly eventBusName: string,
  ) {}

  async publish(events: AuditEvent[]): Promise<void> {
    const batches: AuditEvent[][] = [];
    for (let i = 0; i < events.length; i += PUT_EVENTS_BATCH) batches.push(events.slice(i, i + PUT_EVENTS_BATCH));
    await Promise.all(batches.map((batch) => this.put(batch)));
  }

  private async put(batch: AuditEvent[]): Promise<void> {
    const entries: PutEventsRequestEntry[] = batch.map((event) => ({
      EventBusName: this.eventBusName,
      Source: event.source,
      DetailType: event['detail-type'],
      Time: new Date(event.time),
      Resources: event.resources,
      Detail: JSON.stringify(event.detail),
    }));
    try {
      const result = await this.client.send(new PutEventsCommand({ Entries: entries }));
      if (!result.FailedEntryCount) return;
      const failed = (result.Entries ?? []).flatMap((entry, i) =>
        entry.ErrorCode ? [{ sourceId: batch[i].detail.sourceId, errorCode: entry.ErrorCode, errorMessage: entry.ErrorMessage }] : [],
      );
      logger.warn('Some audit events were not accepted by EventBridge', { eventBusName: this.eventBusName, failed });
    } catch (error) {
      logger.warn('Audit events could not be put on EventBridge', {
        eventBusName: this.eventBusName,
        sourceIds: batch.map((event) => event.detail.sourceId),
        error: error as Error,
      });
    }
  }
}

/** One JSON event per line, appended to a file (the embedded stack's `<data dir>/audit-events.jsonl`). */
export class FileAuditEvents implements AuditEvents {
  constructor(private readonly file: string) {}

  async publish(events: AuditEvent[]): Promise<void> {
    if (!events.length) return;
    try {
      await appendFile(this.file, events.map((event) => `${JSON.stringify(event)}\n`).join(''), { mode: 0o600 });
    } catch (error) {
      logger.warn('Audit events could not be written', {
        file: this.file,
        sourceIds: events.map((event) => event.detail.sourceId),
        error: error as Error,
      });
    }
  }
}

export function openAuditEvents(config: ServiceConfig): AuditEvents {
  const target = config.auditEvents;
  if ('file' in target) return new FileAuditEvents(target.file);
  return new EventBridgeAuditEvents(tracer.captureAWSv3Client(new EventBridgeClient({ region: config.region })), target.eventBusName);
}
