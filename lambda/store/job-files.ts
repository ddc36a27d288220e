import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { ServiceConfig } from '#config';
import { tracer } from '#observability';
import { type JobBucket, JobFileError, type JobFiles } from '#ports/jobs';

/** Temporary credentials are used for at most this long, well inside AssumeRole's default hour. */
const CREDENTIALS_REUSE_MS = 45 * 60 * 1000;

/**
 * The customer's files of a batch job (its manifest, recordings and output), reached only under the job's
 * DataAccessRoleArn, as Voice ID did. The service assumes the role with the domain's ARN as ExternalId, so a
 * role's trust policy can name the one domain allowed to use it (Voice ID's confused-deputy condition on
 * aws:SourceArn), and with the job as the session name, so CloudTrail shows which job read what.
 */
export class S3JobFiles implements JobFiles {
  private readonly sts: STSClient;
  private readonly sessions = new Map<string, { client: S3Client; expiresAt: number }>();

  constructor(
    private readonly config: Pick<ServiceConfig, 'region' | 'endpoints'>,
    private readonly now: () => number,
  ) {
    this.sts = tracer.captureAWSv3Client(new STSClient({ region: config.region, endpoint: config.endpoints.sts }));
  }

  /** An S3 client acting as the job's role. */
  async as(roleArn: string, domainArn: string, jobId: string): Promise<S3JobBucket> {
    const key = `${roleArn}\n${domainArn}`;
    const cached = this.sessions.get(key);
    if (cached && cached.expiresAt > this.now()) return new S3JobBucket(cached.client);
    let credentials;
    try {
      ({ Credentials: credentials } = await this.sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: `voiceid-job-${jobId}`, ExternalId: domainArn, DurationSeconds: 3600 }),
      ));
    } catch (error) {
      if (error instanceof Error && /AccessDenied|NoSuchEntity|ValidationError|MalformedPolicy/i.test(error.name)) {
        throw new JobFileError(
          'ROLE',
          `The service could not assume the DataAccessRoleArn ${roleArn} (${error.name}). Its trust policy must allow this deployment's batch job worker, with sts:ExternalId ${domainArn}.`,
        );
      }
      throw error;
    }
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) throw new Error('AssumeRole returned no credentials.');
    const client = tracer.captureAWSv3Client(
      new S3Client({
        region: this.config.region,
        endpoint: this.config.endpoints.s3,
        // Local S3 engines answer on one host: bucket names go in the path there.
        forcePathStyle: this.config.endpoints.s3 !== undefined,
        credentials: {
          accessKeyId: credentials.AccessKeyId,
          secretAccessKey: credentials.SecretAccessKey,
          sessionToken: credentials.SessionToken,
        },
      }),
    );
    this.sessions.set(key, { client, expiresAt: this.now() + CREDENTIALS_REUSE_MS });
    return new S3JobBucket(client);
  }
}

export class S3JobBucket implements JobBucket {
  constructor(private readonly client: S3Client) {}

  /** An object's bytes; one larger than `maxBytes` is refused without being read. */
  async read(bucket: string, key: string, maxBytes: number): Promise<Uint8Array> {
    const uri = `s3://${bucket}/${key}`;
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if ((object.ContentLength ?? 0) > maxBytes) {
        object.Body?.transformToWebStream()
          .cancel()
          .catch(() => undefined);
        throw new JobFileError('TOO_LARGE', `${uri} is ${object.ContentLength} bytes; the limit is ${maxBytes} bytes.`);
      }
      const bytes = await object.Body!.transformToByteArray();
      if (bytes.byteLength > maxBytes) throw new JobFileError('TOO_LARGE', `${uri} is larger than the limit of ${maxBytes} bytes.`);
      return bytes;
    } catch (error) {
      throw explain(error, uri, 's3:GetObject');
    }
  }

  /** Writes an object, encrypted by S3 under `kmsKeyId` when given (SSE-KMS), else under the bucket's default. */
  async write(bucket: string, key: string, body: string, kmsKeyId?: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
          ...(kmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKeyId } : {}),
        }),
      );
    } catch (error) {
      throw explain(error, `s3://${bucket}/${key}`, 's3:PutObject');
    }
  }
}

function explain(error: unknown, uri: string, permission: string): unknown {
  if (!(error instanceof Error) || error instanceof JobFileError) return error;
  // A missing bucket is named as such: "the output file does not exist" would read as if writing it needed it.
  if (error.name === 'NoSuchBucket') return new JobFileError('NOT_FOUND', `The bucket of ${uri} does not exist.`);
  if (error.name === 'NoSuchKey' || error.name === 'NotFound') return new JobFileError('NOT_FOUND', `${uri} does not exist.`);
  if (error.name === 'AccessDenied' || error.name === 'Forbidden' || error.name === 'KMS.AccessDeniedException') {
    return new JobFileError(
      'ACCESS_DENIED',
      `The DataAccessRoleArn may not reach ${uri}: grant it ${permission} (and kms:Decrypt / kms:GenerateDataKey on the bucket's key).`,
    );
  }
  return error;
}
