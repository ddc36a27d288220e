/**
 * `npm run bench:enrollment`: one StartSpeakerEnrollmentJob of many callers, each with at least 30 s of real speech
 * of one real speaker, against the embedded stack (`npm start`'s program, in a child process), uploaded and started
 * as `npm run enroll` does (its own helpers). It reports enrollments per minute (wall clock from
 * StartSpeakerEnrollmentJob to the job's end), CPU time per enrollment (utime + stime of the stack's whole process
 * tree: Node with its speech workers, DynamoDB Local's JVM, fauxqs...), and peak resident memory.
 *
 * Callers come from ../shared/data, about 50 s of audio each: LibriSpeech test-other (10 speakers, their first
 * files), then LibriSpeech train-clean-100 (one utterance of 8 s or more per speaker, repeated: the same real speech
 * several times, ~240 speakers). DSPSpeech-20 is not used: its 34 speakers' 40 isolated words (82 s of audio) hold
 * only 13-30 s of net speech each, too little for an enrollment. BENCH_SPEAKERS (100) callers; the stack's variables
 * (SPEECH_WORKERS...) pass through.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateDomainCommand } from '@aws-sdk/client-voice-id';
import { readCallers } from '#bin/enroll/inputs';
import { ensureBucket, manifest, outputFileUri, readOutput, services, startJob, uploadCallers, waitForJob } from '#bin/enroll/job';
import { concatenate } from '#biometrics/voiceprint';
import { decodeWav, encodeWav } from '#biometrics/wav';
import { startStackProcess } from '#test/support/stack-process';

const SPEAKERS = Number(process.env.BENCH_SPEAKERS ?? 100);
const DATA = path.join(__dirname, '..', '..', '..', 'shared', 'data');
/** Audio per caller, about 35-40 s of net speech of read LibriSpeech. */
const CALLER_SECONDS = 50;
/** Shorter single utterances would be repeated too many times. */
const MIN_UTTERANCE_SECONDS = 8;

const csvRows = (set: string) =>
  readFileSync(path.join(DATA, set, 'manifest.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));

/** Each speaker's files of a data set, in manifest order. */
function bySpeaker(set: string): Map<string, string[]> {
  const speakers = new Map<string, string[]>();
  for (const [file, speaker] of csvRows(set)) speakers.set(speaker, [...(speakers.get(speaker) ?? []), path.join(DATA, set, file)]);
  return speakers;
}

const samplesOf = (file: string) => decodeWav(readFileSync(file)).samples;

/** Writes `count` callers' recordings, one folder each, as `npm run enroll` takes them; the seconds of audio. */
function writeCallers(folder: string, count: number): number {
  let seconds = 0;
  const write = (caller: string, recordings: Float32Array[]) => {
    mkdirSync(path.join(folder, caller));
    recordings.forEach((samples, i) => writeFileSync(path.join(folder, caller, `${i}.wav`), encodeWav([samples])));
    seconds += recordings.reduce((sum, samples) => sum + samples.length / 8000, 0);
  };
  const callers: (() => void)[] = [];
  for (const [speaker, files] of bySpeaker('librispeech-test-other-10')) {
    callers.push(() => {
      const recordings: Float32Array[] = [];
      for (const file of files)
        if (recordings.reduce((sum, r) => sum + r.length, 0) < CALLER_SECONDS * 8000) recordings.push(samplesOf(file));
      write(`ls-other-${speaker}`, recordings);
    });
  }
  for (const [speaker, [file]] of bySpeaker('librispeech-train-clean-100-1utt')) {
    const once = samplesOf(file);
    if (once.length < MIN_UTTERANCE_SECONDS * 8000) continue;
    callers.push(() =>
      write(`ls-clean-${speaker}`, [concatenate(Array.from({ length: Math.ceil((CALLER_SECONDS * 8000) / once.length) }, () => once))]),
    );
  }
  if (count > callers.length) throw new Error(`BENCH_SPEAKERS is ${count}; the data sets give at most ${callers.length} callers.`);
  callers.slice(0, count).forEach((make) => make());
  return seconds;
}

/** The processes of a tree: a pid and all its descendants, from /proc. */
function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, parent] of parents) if (parent === tree[i]) tree.push(pid);
  return tree;
}

/** utime + stime of each process of the tree, in seconds, with its command name. */
function cpuSeconds(root: number): Map<number, { name: string; seconds: number }> {
  const ticks = 100; // USER_HZ on Linux
  const result = new Map<number, { name: string; seconds: number }>();
  for (const pid of processTree(root)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      result.set(pid, { name, seconds: (Number(fields[11]) + Number(fields[12])) / ticks });
    } catch {
      // gone meanwhile
    }
  }
  return result;
}

async function main() {
  const folder = mkdtempSync(path.join(tmpdir(), 'voice-id-bench-callers-'));
  const audioSeconds = writeCallers(folder, SPEAKERS);
  const callers = readCallers(folder, 0, (message) => console.error(`warning: ${message}`));
  console.log(`${callers.length} callers, ${(audioSeconds / callers.length).toFixed(1)} s of audio each on average`);
  const stack = await startStackProcess({ POWERTOOLS_LOG_LEVEL: 'WARN' });
  let peakRss = stack.rssMiB();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, stack.rssMiB())), 500);
  try {
    const e = stack.endpoints;
    const { voiceId, s3 } = services(e);
    const { Domain } = await voiceId.send(
      new CreateDomainCommand({ Name: 'bench', ServerSideEncryptionConfiguration: { KmsKeyId: e.defaultKmsKeyArn } }),
    );
    const DomainId = Domain!.DomainId!;
    const bucket = 'voice-id-enrollment';
    await ensureBucket(s3, bucket);
    const uploaded = await uploadCallers(s3, bucket, 'bench/audio', callers, {
      converted: () => undefined,
      skippedFile: (reason) => console.error(`skipped: ${reason}`),
      skippedCaller: (id) => console.error(`caller skipped: ${id}`),
      uploaded: () => undefined,
    });
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'bench/manifest.json', Body: JSON.stringify(manifest(uploaded, false)) }));
    const inputUri = `s3://${bucket}/bench/manifest.json`;
    const outputUri = `s3://${bucket}/bench/output`;

    const cpuBefore = cpuSeconds(stack.child.pid!);
    const started = performance.now();
    const JobId = await startJob(voiceId, {
      domainId: DomainId,
      roleArn: 'arn:aws:iam::000000000000:role/voice-id-batch-access',
      inputUri,
      outputUri,
      jobName: 'bench',
      fraudsters: false,
      overwrite: false,
    });
    let lastPercent = -1;
    const final = await waitForJob(
      voiceId,
      { DomainId, JobId, fraudsters: false },
      ({ PercentComplete }) => {
        if (PercentComplete !== lastPercent)
          console.error(`  ${PercentComplete}% after ${((performance.now() - started) / 1000).toFixed(1)} s`);
        lastPercent = PercentComplete;
      },
      200,
    );
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuSeconds(stack.child.pid!);
    clearInterval(sampler);

    const output = await readOutput(s3, outputFileUri(outputUri, JobId, inputUri));
    const enrolled = (output.SuccessfulEnrollments ?? []).filter((entry) => entry.EnrollmentStatus === 'NEW_ENROLLMENT').length;
    const perProcess = [...cpuAfter].map(([pid, { name, seconds: after }]) => ({
      pid,
      name,
      seconds: after - (cpuBefore.get(pid)?.seconds ?? 0),
    }));
    const cpu = perProcess.reduce((sum, p) => sum + p.seconds, 0);
    console.log(`job ${final.JobStatus}: ${enrolled} enrolled, ${output.Errors?.length ?? 0} errors in ${seconds.toFixed(1)} s`);
    for (const error of (output.Errors ?? []).slice(0, 5)) console.log(`  ${error.RequestId}: ${error.ErrorCode} ${error.ErrorMessage}`);
    console.log(`enrollments per minute: ${((enrolled / seconds) * 60).toFixed(1)}`);
    console.log(
      `CPU per enrollment (stack process tree): ${((cpu / Math.max(1, enrolled)) * 1000).toFixed(0)} ms (${cpu.toFixed(1)} s in all, ${(cpu / seconds).toFixed(2)} cores busy on average)`,
    );
    for (const p of perProcess.filter((p) => p.seconds >= 0.05).sort((a, b) => b.seconds - a.seconds)) {
      console.log(`  ${p.name} (${p.pid}): ${p.seconds.toFixed(1)} s`);
    }
    console.log(`peak RSS of the stack's process tree: ${peakRss.toFixed(0)} MiB`);
  } finally {
    clearInterval(sampler);
    await stack.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
