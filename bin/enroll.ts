/**
 * `npm run enroll -- <folder | manifest.csv> --domain <DomainId> [--bucket voice-id-enrollment] [--fraudsters]
 *  [--overwrite] [--watchlist <WatchlistId>] [--channel 0|1] [--endpoints file] [--aws --role <DataAccessRoleArn>]`:
 * enrolls callers from recordings on disk with one Voice ID batch job, as a migration does.
 *
 * A folder holds one subfolder per caller, named by its CustomerSpeakerId, with the caller's .wav files; a
 * manifest.csv has `speaker_id,path[,channel]` lines. The recordings are converted where Voice ID needs it (8 kHz
 * 16-bit PCM, stereo kept), uploaded with a Voice ID manifest to the bucket (created if missing), and a
 * StartSpeakerEnrollmentJob (StartFraudsterRegistrationJob with --fraudsters; the folder names are then only
 * RequestIds) runs with a progress bar on stderr. At the end it prints what the output file says: counts by
 * EnrollmentStatus (RegistrationStatus) and every error. Exit code 0 when the job is COMPLETED, 1 when it is
 * COMPLETED_WITH_ERRORS or FAILED, 2 on bad arguments.
 *
 * The embedded stack's endpoints.json (VOICE_ID_DATA_DIR, else .data/; --endpoints another) gives the endpoints and
 * credentials; without it, or with --aws, it runs against AWS with the default credential chain and needs --role
 * and --bucket.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { readCallers } from '#bin/enroll/inputs';
import {
  ensureBucket,
  type JobState,
  manifest,
  outputFileUri,
  readOutput,
  services,
  startJob,
  uploadCallers,
  waitForJob,
} from '#bin/enroll/job';
import { summarize } from '#bin/enroll/summary';
import { endpointsFile, readLocalEndpoints } from './local-endpoints.ts';

const USAGE =
  'Usage: npm run enroll -- <folder | manifest.csv> --domain <DomainId> [--bucket voice-id-enrollment] [--fraudsters] [--overwrite] ' +
  '[--watchlist <WatchlistId>] [--channel 0|1] [--endpoints endpoints.json] [--aws --role <DataAccessRoleArn>]';

const DEFAULT_BUCKET = 'voice-id-enrollment';
const LOCAL_ROLE = 'arn:aws:iam::000000000000:role/voice-id-batch-access';

class UsageError extends Error {}

const warn = (message: string) => console.error(`warning: ${message}`);

function progressBar(): (state: JobState) => void {
  let last = '';
  return ({ JobStatus, PercentComplete }) => {
    const filled = Math.round(PercentComplete / 5);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${String(PercentComplete).padStart(3)}% ${JobStatus}`;
    if (line === last) return;
    last = line;
    // A terminal gets one line redrawn; a log gets a line per change.
    process.stderr.write(process.stderr.isTTY ? `\r${line}   ` : `${line}\n`);
  };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      domain: { type: 'string' },
      bucket: { type: 'string' },
      fraudsters: { type: 'boolean', default: false },
      overwrite: { type: 'boolean', default: false },
      watchlist: { type: 'string' },
      channel: { type: 'string', default: '0' },
      endpoints: { type: 'string' },
      aws: { type: 'boolean', default: false },
      role: { type: 'string' },
    },
  });
  const [source] = positionals;
  if (positionals.length !== 1 || !values.domain) throw new UsageError(USAGE);
  if (!existsSync(source)) throw new UsageError(`${source} does not exist: give a folder of callers or a manifest.csv.`);
  if (values.channel !== '0' && values.channel !== '1') throw new UsageError('--channel is 0 or 1.');
  if (values.overwrite && values.fraudsters) {
    throw new UsageError(
      '--overwrite is for speaker enrollment; a fraudster registration job registers new fraudsters unless a duplicate is found.',
    );
  }
  if (values.aws && values.endpoints) throw new UsageError('--aws and --endpoints do not go together.');
  const local = values.aws ? undefined : readLocalEndpoints(values.endpoints);
  if (!local && !values.aws) console.error(`No ${endpointsFile()}: using AWS with the default credential chain (--aws).`);
  if (!local && (!values.role || !values.bucket))
    throw new UsageError('Against AWS, --role <DataAccessRoleArn> and --bucket <name> are required.');
  const bucket = values.bucket ?? DEFAULT_BUCKET;
  const roleArn = values.role ?? LOCAL_ROLE;

  const callers = readCallers(source, Number(values.channel) as 0 | 1, warn);
  if (callers.length === 0) throw new UsageError(`${source} names no caller with recordings.`);
  const files = callers.reduce((sum, caller) => sum + caller.recordings.length, 0);
  const { voiceId, s3 } = services(local);
  if (await ensureBucket(s3, bucket)) console.error(`Created the bucket ${bucket}.`);

  const run = `enroll-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${Math.random().toString(36).slice(2, 6)}`;
  const prefix = run;
  console.error(
    `Uploading ${files} recording(s) of ${callers.length} ${values.fraudsters ? 'fraudster(s)' : 'caller(s)'} to s3://${bucket}/${prefix}/`,
  );
  let converted = 0;
  const skipped = { files: 0, callers: 0 };
  const uploaded = await uploadCallers(s3, bucket, `${prefix}/audio`, callers, {
    converted: () => converted++,
    skippedFile: (reason) => {
      skipped.files++;
      warn(`${reason} The recording is left out.`);
    },
    skippedCaller: (id) => {
      skipped.callers++;
      warn(`${id} has no usable recording and is left out of the job.`);
    },
    uploaded: (done, total) => {
      if (process.stderr.isTTY) process.stderr.write(`\r  uploaded ${done}/${total}   `);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (converted) console.error(`Converted ${converted} recording(s) to 8 kHz 16-bit PCM.`);
  if (uploaded.length === 0) {
    console.error('No caller has a usable recording: no job was started.');
    return 1;
  }

  const inputUri = `s3://${bucket}/${prefix}/manifest.json`;
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: `${prefix}/manifest.json`,
      Body: JSON.stringify(manifest(uploaded, values.fraudsters), null, 1),
      ContentType: 'application/json',
    }),
  );
  const outputUri = `s3://${bucket}/${prefix}/output`;
  const started = Date.now();
  const JobId = await startJob(voiceId, {
    domainId: values.domain,
    roleArn,
    inputUri,
    outputUri,
    jobName: run,
    fraudsters: values.fraudsters,
    overwrite: values.overwrite,
    watchlistId: values.watchlist,
  });
  console.error(
    `${values.fraudsters ? 'StartFraudsterRegistrationJob' : 'StartSpeakerEnrollmentJob'}: job ${JobId}, ${uploaded.length} request(s)`,
  );
  const final = await waitForJob(voiceId, { DomainId: values.domain, JobId, fraudsters: values.fraudsters }, progressBar());
  if (process.stderr.isTTY) process.stderr.write('\n');
  const seconds = (Date.now() - started) / 1000;
  const resultUri = final.JobStatus === 'FAILED' ? undefined : outputFileUri(outputUri, JobId, inputUri);
  const output = resultUri ? await readOutput(s3, resultUri) : undefined;
  console.log(summarize({ JobId, JobStatus: final.JobStatus, seconds, outputUri: resultUri, failure: final.failure }, output));
  if (skipped.files)
    console.log(`Left out before the job (see the warnings above): ${skipped.files} recording(s), ${skipped.callers} caller(s)`);
  return final.JobStatus === 'COMPLETED' ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
