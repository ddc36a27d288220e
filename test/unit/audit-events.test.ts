import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { PutEventsCommand, PutEventsResponse } from '@aws-sdk/client-eventbridge';
import { type AuditEvent, auditEvent, camelCased } from '#api-model/audit-event';
import { logger } from '#observability';
import { EventBridgeAuditEvents, FileAuditEvents } from '#store/audit-events';

const where = { region: 'eu-west-1', accountId: '123456789012', nowMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678) };
const event = (n: number): AuditEvent =>
  auditEvent(
    { detailType: 'VoiceId Speaker Action', action: 'DELETE_SPEAKER', domainId: 'd'.repeat(22), subject: { speakerId: `caller-${n}` } },
    where,
  );

/** An EventBridge client that records the entries of each PutEvents call and answers as told. */
function fakeClient(answer: (entries: number) => PutEventsResponse | Error) {
  const calls: { EventBusName?: string; Source?: string; DetailType?: string; Detail?: string; Resources?: string[]; Time?: Date }[][] = [];
  const send = jest.fn((command: PutEventsCommand) => {
    const entries = command.input.Entries ?? [];
    calls.push(entries);
    const result = answer(entries.length);
    return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
  });
  return { client: { send } as never, calls };
}

describe('audit events', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('have the envelope EventBridge delivers, the project as source, and the common detail fields', () => {
    const failed = auditEvent(
      {
        detailType: 'VoiceId Speaker Action',
        action: 'DELETE_SPEAKER',
        domainId: 'd'.repeat(22),
        subject: { speakerId: 'caller', speaker: undefined },
        errorInfo: { errorCode: 404, errorMessage: 'No such speaker.', errorType: 'ResourceNotFoundException' },
      },
      where,
    );
    expect(failed).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      'detail-type': 'VoiceId Speaker Action',
      source: 'open-voice-id',
      account: '123456789012',
      time: '2026-01-02T03:04:05Z',
      region: 'eu-west-1',
      resources: [`arn:aws:voiceid:eu-west-1:123456789012:domain/${'d'.repeat(22)}`],
      detail: {
        sourceId: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
        action: 'DELETE_SPEAKER',
        status: 'FAILURE',
        domainId: 'd'.repeat(22),
        errorInfo: { errorCode: 404, errorMessage: 'No such speaker.', errorType: 'ResourceNotFoundException' },
        speakerId: 'caller',
      },
    });
    expect(event(1).detail.status).toBe('SUCCESS');
    expect(event(1).detail.sourceId).not.toBe(event(1).detail.sourceId);
  });

  it('show response members in camelCase, deeply, without undefined members', () => {
    expect(
      camelCased({
        AuthenticationResult: { Decision: 'ACCEPT', Score: 97, Configuration: { AcceptanceThreshold: 90 }, CustomerSpeakerId: undefined },
        Reasons: ['KNOWN_FRAUDSTER'],
      }),
    ).toEqual({
      authenticationResult: { decision: 'ACCEPT', score: 97, configuration: { acceptanceThreshold: 90 } },
      reasons: ['KNOWN_FRAUDSTER'],
    });
  });

  it('go to EventBridge in PutEvents calls of at most 10 entries, on the bus configured', async () => {
    const { client, calls } = fakeClient((entries) => ({
      FailedEntryCount: 0,
      Entries: Array.from({ length: entries }, () => ({ EventId: 'e' })),
    }));
    const events = Array.from({ length: 23 }, (_, i) => event(i));
    await new EventBridgeAuditEvents(client, 'default').publish(events);
    expect(calls.map((entries) => entries.length)).toEqual([10, 10, 3]);
    expect(calls[0][0]).toEqual({
      EventBusName: 'default',
      Source: 'open-voice-id',
      DetailType: 'VoiceId Speaker Action',
      Resources: events[0].resources,
      Time: new Date('2026-01-02T03:04:05Z'),
      Detail: JSON.stringify(events[0].detail),
    });
    expect(calls.flat().map((entry) => (JSON.parse(entry.Detail!) as { speakerId: string }).speakerId)).toEqual(
      events.map((_, i) => `caller-${i}`),
    );
    expect(warn).not.toHaveBeenCalled();
  });

  it('are best effort: a refused put or refused entries are logged by source id, never thrown', async () => {
    const down = fakeClient(() => Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' }));
    const events = [event(1), event(2)];
    await expect(new EventBridgeAuditEvents(down.client, 'default').publish(events)).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith(
      'Audit events could not be put on EventBridge',
      expect.objectContaining({ sourceIds: events.map((e) => e.detail.sourceId) }),
    );

    const partly = fakeClient(() => ({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'e' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    }));
    await new EventBridgeAuditEvents(partly.client, 'default').publish(events);
    expect(warn).toHaveBeenLastCalledWith('Some audit events were not accepted by EventBridge', {
      eventBusName: 'default',
      failed: [{ sourceId: events[1].detail.sourceId, errorCode: 'InternalFailure', errorMessage: 'try again' }],
    });
  });

  it('are appended to a file as JSON lines locally, and a file that cannot be written fails nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'audit-'));
    try {
      const file = path.join(dir, 'audit-events.jsonl');
      const events = [event(1), event(2), event(3)];
      await new FileAuditEvents(file).publish(events.slice(0, 2));
      await new FileAuditEvents(file).publish(events.slice(2));
      expect(
        readFileSync(file, 'utf8')
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line) as unknown),
      ).toEqual(events);

      await expect(new FileAuditEvents(path.join(dir, 'missing', 'audit.jsonl')).publish(events)).resolves.toBeUndefined();
      expect(warn).toHaveBeenCalledWith(
        'Audit events could not be written',
        expect.objectContaining({ sourceIds: events.map((e) => e.detail.sourceId) }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
