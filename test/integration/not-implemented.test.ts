import {
  DescribeFraudsterRegistrationJobCommand,
  DescribeSpeakerEnrollmentJobCommand,
  ListFraudsterRegistrationJobsCommand,
  ListSpeakerEnrollmentJobsCommand,
  StartFraudsterRegistrationJobCommand,
  StartSpeakerEnrollmentJobCommand,
  type VoiceIDClient,
} from '@aws-sdk/client-voice-id';
import { http, voiceId } from '../support/clients';
import { failure, newDomain } from '../support/voice-id-errors';

/**
 * The Voice ID operations this release does not implement yet must say so, the same way over every transport:
 * a caller that got a 200 with an empty body would believe its job was started.
 */
const notImplemented = (operation: string) =>
  `${operation} is part of the Voice ID API but is not implemented in this release of the service yet.`;

const jobIo = {
  DataAccessRoleArn: 'arn:aws:iam::000000000000:role/voice-id-batch',
  InputDataConfig: { S3Uri: 's3://call-recordings/manifest.json' },
  OutputDataConfig: { S3Uri: 's3://call-recordings/results/' },
};

/** Each operation with a complete, well-formed request, sent through the official client. */
const calls: [string, (client: VoiceIDClient, DomainId: string) => Promise<unknown>][] = [
  ['StartSpeakerEnrollmentJob', (c, DomainId) => c.send(new StartSpeakerEnrollmentJobCommand({ DomainId, JobName: 'enroll', ClientToken: 'enroll-1', ...jobIo }))],
  ['DescribeSpeakerEnrollmentJob', (c, DomainId) => c.send(new DescribeSpeakerEnrollmentJobCommand({ DomainId, JobId: 'j'.repeat(22) }))],
  ['ListSpeakerEnrollmentJobs', (c, DomainId) => c.send(new ListSpeakerEnrollmentJobsCommand({ DomainId, JobStatus: 'COMPLETED', MaxResults: 10 }))],
  [
    'StartFraudsterRegistrationJob',
    (c, DomainId) => c.send(new StartFraudsterRegistrationJobCommand({ DomainId, JobName: 'register', ClientToken: 'register-1', ...jobIo })),
  ],
  ['DescribeFraudsterRegistrationJob', (c, DomainId) => c.send(new DescribeFraudsterRegistrationJobCommand({ DomainId, JobId: 'j'.repeat(22) }))],
  ['ListFraudsterRegistrationJobs', (c, DomainId) => c.send(new ListFraudsterRegistrationJobsCommand({ DomainId, MaxResults: 10 }))],
];

describe('operations not built yet', () => {
  // Made by the first test that needs it rather than in beforeAll, so that `npm run mutate` counts the work as
  // that test's (Stryker treats what runs outside tests as covered by every test).
  let domain: Promise<string> | undefined;
  const domainId = () => (domain ??= newDomain('batch-jobs').then((d) => d.DomainId!));

  it.each(calls)('%s answers ValidationException saying so, through the official client', async (operation, call) => {
    const error = await failure(call(voiceId(), await domainId()));
    expect(error).toMatchObject({ name: 'ValidationException', message: notImplemented(operation), $metadata: { httpStatusCode: 400 } });
  });

  it.each(calls.map(([operation]) => [operation]))('%s answers ValidationException saying so, over the wire protocol', async (operation) => {
    for (const body of [{}, { DomainId: await domainId(), JobId: 'j'.repeat(22), ...jobIo }]) {
      const response = await http('POST', '/', {
        body,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `VoiceID.${operation}` },
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('x-amzn-errortype')).toBe('ValidationException');
      expect(response.body).toEqual({ __type: 'ValidationException', message: notImplemented(operation), Message: notImplemented(operation) });
    }
  });
});
