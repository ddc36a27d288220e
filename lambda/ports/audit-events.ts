import type { AuditEvent } from '#api-model/audit-event';

/** Where audit events go (EventBridge in AWS, a file locally): best effort, as Voice ID's were. */
export interface AuditEvents {
  publish(events: AuditEvent[]): Promise<void>;
}
