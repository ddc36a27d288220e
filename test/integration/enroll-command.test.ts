import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DescribeSpeakerCommand } from '@aws-sdk/client-voice-id';
import { resample } from '#biometrics/resample';
import { concatenate } from '#biometrics/voiceprint';
import { decodeWav, encodeWav } from '#biometrics/wav';
import { LIBRISPEECH } from '#test/support/calls';
import { apiUrl, endpoints, voiceId } from '#test/support/clients';
import { newDomain } from '#test/support/voice-id-errors';

/**
 * `npm run enroll` as a migrating user runs it, in a child process against this run's stack: a folder of callers'
 * LibriSpeech recordings (8 kHz, and one made 16 kHz that the command converts), then a manifest.csv with channels:
 * a 16 kHz stereo call, an enrolled caller, a caller with too little speech and a channel a mono file lacks.
 */
const ROOT = path.join(__dirname, '..', '..');

function enroll(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['bin/enroll.ts', ...args], { cwd: ROOT }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe('npm run enroll', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'voice-id-enroll-'));
  const bucket = `enroll-command-${Date.now()}`;
  let domainId: string;
  let endpointsFile: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    domainId = (await newDomain('enroll-command')).DomainId!;
    endpointsFile = path.join(dir, 'endpoints.json');
    writeFileSync(endpointsFile, JSON.stringify({ ...endpoints(), voiceId: await apiUrl() }));
  });

  const recordingsOf = (speaker: string) =>
    readFileSync(path.join(LIBRISPEECH, 'manifest.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(','))
      .filter(([, who]) => who === speaker)
      .map(([file]) => path.join(LIBRISPEECH, file));

  it('enrolls a folder of callers, converting a 16 kHz recording, and prints the summary', async () => {
    const folder = path.join(dir, 'callers');
    for (const [speaker, customer] of [
      ['spk1688', 'customer-1688'],
      ['spk2033', 'customer-2033'],
    ]) {
      mkdirSync(path.join(folder, customer), { recursive: true });
      for (const file of recordingsOf(speaker).slice(0, 8)) copyFileSync(file, path.join(folder, customer, path.basename(file)));
    }
    // One of customer-2033's recordings at 16 kHz, as a wideband recorder wrote it: the service refuses it as it is.
    const wideband = path.join(folder, 'customer-2033', path.basename(recordingsOf('spk2033')[4]));
    writeFileSync(wideband, encodeWav([resample(decodeWav(readFileSync(wideband)).samples, 8000, 16000)], 16000));
    expect(() => decodeWav(readFileSync(wideband))).toThrow(/16000 Hz/);

    const { code, stdout, stderr } = await enroll(folder, '--domain', domainId, '--bucket', bucket, '--endpoints', endpointsFile);
    expect(stderr).toMatch(/Converted 1 recording\(s\) to 8 kHz 16-bit PCM/);
    expect(stderr).toMatch(/100% COMPLETED/);
    expect(stdout).toMatch(/^Job \w+: COMPLETED after [\d.]+ s$/m);
    expect(stdout).toMatch(/^EnrollmentStatus: NEW_ENROLLMENT 2$/m);
    expect(stdout).toMatch(/^Errors: 0$/m);
    expect(stdout).toMatch(new RegExp(`^Output file: s3://${bucket}/enroll-.*/manifest\\.json\\.out$`, 'm'));
    expect(code).toBe(0);
    for (const SpeakerId of ['customer-1688', 'customer-2033']) {
      const { Speaker } = await voiceId().send(new DescribeSpeakerCommand({ DomainId: domainId, SpeakerId }));
      expect(Speaker).toMatchObject({ CustomerSpeakerId: SpeakerId, Status: 'ENROLLED' });
    }
  });

  it('takes a manifest.csv with channels, reports duplicates and each error, and exits 1', async () => {
    const csv = path.join(dir, 'nested', 'manifest.csv');
    mkdirSync(path.dirname(csv), { recursive: true });
    // A 16 kHz stereo call: another voice on channel 0, the caller (spk2609, about 40 s) on channel 1.
    const caller = resample(
      concatenate(
        recordingsOf('spk2609')
          .slice(0, 5)
          .map((file) => decodeWav(readFileSync(file)).samples),
      ),
      8000,
      16000,
    );
    const agent = resample(concatenate(recordingsOf('spk2414').map((file) => decodeWav(readFileSync(file)).samples)), 8000, 16000);
    const stereo = path.join(dir, 'stereo-call.wav');
    writeFileSync(stereo, encodeWav([agent.subarray(0, caller.length), caller], 16000));
    const relative = (file: string) => path.relative(path.dirname(csv), file);
    const lines = [
      'speaker_id,path,channel',
      ...recordingsOf('spk1688')
        .slice(8, 10)
        .map((file) => `customer-1688,${relative(file)}`),
      `customer-1998,${relative(recordingsOf('spk1998')[0])},0`,
      `customer-1998,${relative(recordingsOf('spk1998')[1])},1`,
      `customer-2609,${relative(stereo)},1`,
    ];
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const { code, stdout, stderr } = await enroll(csv, '--domain', domainId, '--bucket', bucket, '--endpoints', endpointsFile);
    expect(stderr).toMatch(/is mono: it has no channel 1\. The recording is left out/);
    expect(stderr).toMatch(/Converted 1 recording\(s\)/);
    expect(stdout).toMatch(/^Job \w+: COMPLETED_WITH_ERRORS after/m);
    expect(stdout).toMatch(/^EnrollmentStatus: (DUPLICATE_SKIPPED 1, NEW_ENROLLMENT 1|NEW_ENROLLMENT 1, DUPLICATE_SKIPPED 1)$/m);
    expect(stdout).toMatch(/^Errors: 1$/m);
    expect(stdout).toMatch(/^ {2}customer-1998: 400 The recordings hold [\d.]+ s of net speech; 30 s are needed/m);
    expect(stdout).toMatch(/^Left out before the job .*: 1 recording\(s\), 0 caller\(s\)$/m);
    expect(code).toBe(1);
    const { Speaker } = await voiceId().send(new DescribeSpeakerCommand({ DomainId: domainId, SpeakerId: 'customer-2609' }));
    expect(Speaker!.Status).toBe('ENROLLED');
  });

  it('refuses bad arguments with exit code 2', async () => {
    const { code, stderr } = await enroll(path.join(dir, 'nowhere'), '--domain', domainId, '--endpoints', endpointsFile);
    expect(code).toBe(2);
    expect(stderr).toMatch(/does not exist/);
  });
});
