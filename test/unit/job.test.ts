import { type JobRecord, ManifestError, outputFile, outputLocation, parseManifest } from '#api-model/job';

const audio = [{ S3Uri: 's3://recordings/calls/a.wav', ChannelId: 0 }];
const manifest = (requests: unknown[], list = 'SpeakerEnrollmentRequests') => JSON.stringify({ Version: '1.0', [list]: requests });

describe('a batch job manifest', () => {
  it('gives the requests in order, with their audio', () => {
    expect(
      parseManifest(manifest([{ RequestId: 'a', SpeakerId: 'caller-1', AudioSpecifications: audio }]), 'SPEAKER_ENROLLMENT', 10),
    ).toEqual([{ RequestId: 'a', SpeakerId: 'caller-1', AudioSpecifications: audio }]);
    expect(
      parseManifest(
        manifest([{ RequestId: 'f', AudioSpecifications: audio }], 'FraudsterRegistrationRequests'),
        'FRAUDSTER_REGISTRATION',
        10,
      ),
    ).toEqual([{ RequestId: 'f', AudioSpecifications: audio }]);
  });

  it.each([
    ['not JSON', '{"Version": ', 'The input file is not valid JSON'],
    ['another version', JSON.stringify({ Version: '2.0', SpeakerEnrollmentRequests: [] }), 'The manifest\'s Version must be "1.0".'],
    [
      "the other job type's list",
      manifest([{ RequestId: 'a', AudioSpecifications: audio }], 'FraudsterRegistrationRequests'),
      'The manifest must hold a list named SpeakerEnrollmentRequests.',
    ],
    ['no requests', manifest([]), 'is empty: there is nothing to do'],
    [
      'more requests than the limit',
      manifest([1, 2, 3].map((i) => ({ RequestId: `r${i}`, SpeakerId: 's', AudioSpecifications: audio }))),
      'holds 3 requests; a job takes at most 2',
    ],
    [
      'a RequestId twice',
      manifest(['x', 'x'].map((RequestId) => ({ RequestId, SpeakerId: 's', AudioSpecifications: audio }))),
      'The RequestId x appears more than once',
    ],
    ['an array', '[]', 'The manifest must be a JSON object.'],
  ])('fails the job when it is %s', (_, text, message) => {
    expect(() => parseManifest(text, 'SPEAKER_ENROLLMENT', 2)).toThrow(ManifestError);
    expect(() => parseManifest(text, 'SPEAKER_ENROLLMENT', 2)).toThrow(message);
  });

  it('keeps a malformed request, with what is wrong with it, as an entry error', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => ({ S3Uri: `s3://recordings/${i}.wav` }));
    const requests = parseManifest(
      manifest([
        { RequestId: 'no-audio', SpeakerId: 's' },
        { RequestId: 'too-many', SpeakerId: 's', AudioSpecifications: eleven },
        { RequestId: 'channel', SpeakerId: 's', AudioSpecifications: [{ S3Uri: 's3://recordings/a.wav', ChannelId: 2 }] },
        { RequestId: 'uri', SpeakerId: 's', AudioSpecifications: [{ S3Uri: 'https://recordings/a.wav' }] },
        { RequestId: 'speaker', SpeakerId: 'id#generated', AudioSpecifications: audio },
        { SpeakerId: 's', AudioSpecifications: audio },
      ]),
      'SPEAKER_ENROLLMENT',
      10,
    );
    expect(requests.map(({ RequestId, problem }) => [RequestId, problem])).toEqual([
      ['no-audio', 'AudioSpecifications is required: a list of {"S3Uri", "ChannelId"}.'],
      ['too-many', 'AudioSpecifications may name at most 10 audio files.'],
      ['channel', 'ChannelId must be 0 or 1.'],
      ['uri', 'AudioSpecifications[].S3Uri must be an S3 URI: s3://<bucket>/<key>.'],
      ['speaker', 'SpeakerId must be a CustomerSpeakerId: letters, digits, _ and -, starting with a letter or digit.'],
      ['#5', 'RequestId is required and must be a string.'],
    ]);
  });
});

describe('a batch job output file', () => {
  const job = (outputS3Uri: string, inputS3Uri = 's3://in/manifests/january.json') =>
    ({ jobId: 'J'.repeat(22), inputS3Uri, outputS3Uri }) as JobRecord;

  it("is named <output S3Uri>/<JobId>/<input file name>.out, whatever the output URI's slashes", () => {
    for (const uri of ['s3://out/results', 's3://out/results/', 's3://out/results//']) {
      expect(outputLocation(job(uri))).toEqual({ bucket: 'out', key: `results/${'J'.repeat(22)}/january.json.out` });
    }
    expect(outputLocation(job('s3://out'))).toEqual({ bucket: 'out', key: `${'J'.repeat(22)}/january.json.out` });
  });

  it("holds Voice ID's members for each job type, errors apart from successes", () => {
    const results = [
      { requestId: 'a', result: { kind: 'error' as const, ErrorCode: 400 as const, ErrorMessage: 'too short' } },
      {
        requestId: 'b',
        result: {
          kind: 'enrollment' as const,
          GeneratedSpeakerId: 'id#g',
          CustomerSpeakerId: 'c',
          EnrollmentStatus: 'NEW_ENROLLMENT' as const,
        },
      },
    ];
    expect(outputFile('SPEAKER_ENROLLMENT', results)).toEqual({
      Version: '1.0',
      Errors: [{ RequestId: 'a', ErrorCode: 400, ErrorMessage: 'too short' }],
      SuccessfulEnrollments: [{ RequestId: 'b', GeneratedSpeakerId: 'id#g', CustomerSpeakerId: 'c', EnrollmentStatus: 'NEW_ENROLLMENT' }],
    });
    expect(
      outputFile('FRAUDSTER_REGISTRATION', [
        {
          requestId: 'f',
          result: {
            kind: 'registration',
            GeneratedFraudsterId: 'id#f',
            RegistrationStatus: 'DUPLICATE_SKIPPED',
            FraudsterSimilarityScore: 97,
          },
        },
      ]),
    ).toEqual({
      Version: '1.0',
      Errors: [],
      SuccessfulRegistrations: [
        { RequestId: 'f', GeneratedFraudsterId: 'id#f', RegistrationStatus: 'DUPLICATE_SKIPPED', FraudsterSimilarityScore: 97 },
      ],
    });
  });
});
