import { type AuditRecord, auditEvent } from '#api-model/audit-event';
import type { Needs } from '#context';

/** Publishes an audit event of something other than an API call (a batch job that ended); defineOperation publishes those of API calls through it too. */
export function publishAuditRecord(ctx: Needs<'accountId' | 'auditEvents' | 'now' | 'region'>, record: AuditRecord): Promise<void> {
  return ctx.auditEvents.publish([auditEvent(record, { region: ctx.region, accountId: ctx.accountId, nowMs: ctx.now() })]);
}
