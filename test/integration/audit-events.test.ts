import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  DeleteSpeakerCommand,
  DescribeSpeakerCommand,
  DescribeSpeakerEnrollmentJobCommand,
  EvaluateSessionCommand,
  StartSpeakerEnrollmentJobCommand,
} from '@aws-sdk/client-voice-id';
import type { AuditEvent } from '#api-model/audit-event';
import { BUCKET, createBucket, put, ROLE, until } from '#test/support/batch-job-files';
import { call, callAudio, sessions } from '#test/support/calls';
import { endpoints, voiceId } from '#test/support/clients';
import { failure, newDomain } from '#test/support/voice-id-errors';

/**
 * Audit events as the embedded stack records them (`<data dir>/audit-events.jsonl`; EventBridge in AWS): a call that
 * enrols its caller, a later call authenticated, a speaker deleted, a refused request and batch jobs that end. Each
 * transaction has its event with its decision and ids, and no event holds audio or a voiceprint.
 */
const auditFile = () => path.join(process.env.VOICE_ID_TEST_DATA_DIR!, 'audit-events.jsonl');

/** This domain's events, in order; other suites' domains write to the same file. */
function eventsOf(domainId: string): AuditEvent[] {
  if (!existsSync(auditFile())) return [];
  return readFileSync(auditFile(), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent)
    .filter((event) => event.detail.domainId === domainId);
}

/** The events of the domain once `ready` holds of them (a job's end is reported just after Describe shows it). */
async function eventsWhen(domainId: string, ready: (events: AuditEvent[]) => boolean): Promise<AuditEvent[]> {
  for (let waited = 0; ; waited += 100) {
    const events = eventsOf(domainId);
    if (ready(events) || waited >= 10_000) return events;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const actions = (events: AuditEvent[]) => events.map((event) => `${event.detail.action} ${event.detail.status}`);

/** Nothing like audio or a voiceprint: no long base64 run, no long list of numbers. */
function expectNoBiometrics(events: AuditEvent[]) {
  const text = JSON.stringify(events);
  expect(text).not.toMatch(/[A-Za-z0-9+/=]{120,}/);
  expect(text).not.toMatch(/\[(\s*-?\d+(\.\d+)?(e-?\d+)?\s*,){15,}/);
  expect(text).not.toMatch(/voiceprint|embedding|"audio"/i);
}

describe('audit events', () => {
  let domainId: string;
  let domainArn: string;

  beforeAll(async () => {
    const domain = await newDomain('audit-events');
    domainId = domain.DomainId!;
    domainArn = domain.Arn!;
  });

  it('reports a session that enrols its caller, a later call authenticated, and the speaker deleted; a refused request as FAILURE', async () => {
    const client = await sessions();
    const enrolment = await call(client, domainId, callAudio('spk1688', 44), { SpeakerId: 'audited-caller' });
    const enrolled = await client.call<{ Speaker: { GeneratedSpeakerId: string } }>('EnrollSessionSpeaker', {
      DomainId: domainId,
      SessionNameOrId: enrolment.session.SessionId,
    });
    const speakerId = enrolled.Speaker.GeneratedSpeakerId;

    const { session } = await call(client, domainId, callAudio('spk1688', 20, 6), { SpeakerId: 'audited-caller' });
    const evaluation = await voiceId().send(new EvaluateSessionCommand({ DomainId: domainId, SessionNameOrId: session.SessionName }));
    expect(evaluation.AuthenticationResult!.Decision).toBe('ACCEPT');
    await client.end(domainId, session.SessionId);
    // Reads are not audited.
    await voiceId().send(new DescribeSpeakerCommand({ DomainId: domainId, SpeakerId: 'audited-caller' }));
    await voiceId().send(new DeleteSpeakerCommand({ DomainId: domainId, SpeakerId: 'audited-caller' }));
    const refused = await failure(voiceId().send(new DeleteSpeakerCommand({ DomainId: domainId, SpeakerId: 'audited-caller' })));
    expect(refused.name).toBe('ResourceNotFoundException');

    const events = eventsOf(domainId);
    // AppendSessionAudio (audio in, nothing decided) has no event; every transaction that decides or changes has one.
    expect(events.map((event) => [event['detail-type'], event.detail.action, event.detail.status])).toEqual([
      ['VoiceId Start Session Action', 'START_SESSION', 'SUCCESS'],
      ['VoiceId Session Speaker Enrollment Action', 'ENROLL_SESSION_SPEAKER', 'SUCCESS'],
      ['VoiceId Start Session Action', 'START_SESSION', 'SUCCESS'],
      ['VoiceId Evaluate Session Action', 'EVALUATE_SESSION', 'SUCCESS'],
      ['VoiceId Start Session Action', 'END_SESSION', 'SUCCESS'],
      ['VoiceId Speaker Action', 'DELETE_SPEAKER', 'SUCCESS'],
      ['VoiceId Speaker Action', 'DELETE_SPEAKER', 'FAILURE'],
    ]);
    const { region } = endpoints();
    for (const event of events) {
      expect(event).toMatchObject({ version: '0', source: 'open-voice-id', region, resources: [domainArn] });
      expect(Date.parse(event.time)).toBeGreaterThan(Date.now() - 10 * 60_000);
    }
    expect(new Set(events.map((event) => event.detail.sourceId)).size).toBe(events.length);

    const [started, enrolledEvent, , evaluated, ended, deleted, failed] = events;
    expect(started.detail.session).toEqual({
      sessionId: enrolment.session.SessionId,
      sessionName: enrolment.session.SessionName,
      speakerId: 'audited-caller',
      streamingStatus: 'PENDING_CONFIGURATION',
      authenticationConfiguration: { acceptanceThreshold: 90, requiredSpeechSeconds: 10 },
      fraudDetectionConfiguration: { riskThreshold: 50, watchlistId: expect.any(String) as string },
    });
    expect(enrolledEvent.detail).toMatchObject({
      session: { sessionNameOrId: enrolment.session.SessionId },
      speaker: { generatedSpeakerId: speakerId, customerSpeakerId: 'audited-caller', status: 'ENROLLED' },
      enrollmentStatus: 'NEW_ENROLLMENT',
    });
    expect(evaluated.detail).toMatchObject({
      session: { sessionId: session.SessionId, sessionName: session.SessionName, streamingStatus: 'ONGOING' },
      authenticationResult: {
        authenticationResultId: evaluation.AuthenticationResult!.AuthenticationResultId,
        decision: 'ACCEPT',
        score: evaluation.AuthenticationResult!.Score,
        generatedSpeakerId: speakerId,
        customerSpeakerId: 'audited-caller',
        configuration: { acceptanceThreshold: 90 },
      },
      fraudDetectionResult: {
        fraudDetectionResultId: evaluation.FraudDetectionResult!.FraudDetectionResultId,
        decision: 'LOW_RISK',
        reasons: [],
        configuration: { riskThreshold: 50 },
      },
    });
    expect(evaluated.detail.errorInfo).toBeUndefined();
    expect(ended.detail.session).toMatchObject({ sessionId: session.SessionId, streamingStatus: 'ENDED' });
    expect(deleted.detail).toMatchObject({ speakerId: 'audited-caller' });
    expect(failed.detail).toMatchObject({
      speakerId: 'audited-caller',
      errorInfo: { errorCode: 404, errorType: 'ResourceNotFoundException', errorMessage: refused.message },
    });
    expectNoBiometrics(events);
  });

  it('reports a batch job when it starts and when it ends: SUCCESS when it completes, FAILURE saying why when it fails', async () => {
    await createBucket();
    const runJob = async (manifest: string) => {
      const { Job } = await voiceId().send(
        new StartSpeakerEnrollmentJobCommand({
          DomainId: domainId,
          JobName: 'audited-job',
          DataAccessRoleArn: ROLE,
          InputDataConfig: { S3Uri: await put(`manifests/audit-${Math.random().toString(36).slice(2)}.json`, manifest) },
          OutputDataConfig: { S3Uri: `s3://${BUCKET}/output` },
        }),
      );
      await until(
        async () => (await voiceId().send(new DescribeSpeakerEnrollmentJobCommand({ DomainId: domainId, JobId: Job!.JobId }))).Job!,
      );
      return Job!.JobId!;
    };
    const completed = await runJob(
      JSON.stringify({
        Version: '1.0',
        SpeakerEnrollmentRequests: [
          { RequestId: 'r1', SpeakerId: 'nobody', AudioSpecifications: [{ S3Uri: `s3://${BUCKET}/nowhere.wav` }] },
        ],
      }),
    );
    const failed = await runJob('not a manifest');

    const jobEvents = (events: AuditEvent[]) =>
      events.filter((event) => event['detail-type'] === 'VoiceId Batch Speaker Enrollment Action');
    const events = jobEvents(await eventsWhen(domainId, (all) => jobEvents(all).length >= 4));
    expect(actions(events)).toEqual([
      'START_SPEAKER_ENROLLMENT_JOB SUCCESS',
      'END_SPEAKER_ENROLLMENT_JOB SUCCESS',
      'START_SPEAKER_ENROLLMENT_JOB SUCCESS',
      'END_SPEAKER_ENROLLMENT_JOB FAILURE',
    ]);
    expect(events[0].detail.job).toMatchObject({ jobId: completed, jobName: 'audited-job', jobStatus: 'SUBMITTED' });
    expect(events[1].detail.job).toMatchObject({
      jobId: completed,
      jobStatus: 'COMPLETED_WITH_ERRORS',
      jobProgress: { percentComplete: 100 },
    });
    expect(events[3].detail).toMatchObject({
      job: { jobId: failed, jobStatus: 'FAILED', failureDetails: { statusCode: 400 } },
      errorInfo: { errorCode: 400, errorType: 'JobFailed', errorMessage: expect.stringMatching(/not a usable manifest/) as string },
    });
    // The manifest's content (its requests and their recordings) is never in an event.
    expect(JSON.stringify(events)).not.toMatch(/nowhere\.wav|RequestId|"r1"|"nobody"/);
    expectNoBiometrics(events);
  });
});
