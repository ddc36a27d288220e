import { z } from 'zod';
import { ValidationException } from './errors.ts';

/**
 * Field rules of the Voice ID model (botocore voice-id/2021-09-27). Messages name the member and say what to fix,
 * because the caller sees them verbatim.
 */

const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;
const DESCRIPTION_PATTERN = /^([\p{L}\p{Z}\p{N}_.:/=+\-%@]*)$/u;
const TAG_PATTERN = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
const RESOURCE_ID_PATTERN = /^[a-zA-Z0-9]{22}$/;

const text = (member: string, min: number, max: number, pattern?: RegExp, patternHint?: string) => {
  let schema = z
    .string({ error: (issue) => (issue.input === undefined ? `${member} is required.` : `${member} must be a string.`) })
    .min(min, `${member} must be at least ${min} characters long.`)
    .max(max, `${member} must be at most ${max} characters long.`);
  if (pattern) schema = schema.regex(pattern, `${member} ${patternHint}`);
  return schema;
};

export const resourceName = (member: string) =>
  text(member, 1, 256, NAME_PATTERN, 'must start with a letter or digit and contain only letters, digits, underscores and hyphens.');

export const description = (member = 'Description') =>
  text(member, 1, 1024, DESCRIPTION_PATTERN, 'may contain only letters, digits, spaces and _ . : / = + - % @.');

export const resourceId = (member: string) => text(member, 22, 22, RESOURCE_ID_PATTERN, 'must be exactly 22 letters and digits.');

/** The input of operations that name only a domain. */
export const domainIdInput = z.object({ DomainId: resourceId('DomainId') });

export const watchlistInput = z.object({ DomainId: resourceId('DomainId'), WatchlistId: resourceId('WatchlistId') });

export const speakerId = text(
  'SpeakerId',
  1,
  256,
  /^(id#[a-zA-Z0-9]{22}|[a-zA-Z0-9][a-zA-Z0-9_-]*)$/,
  'must be a GeneratedSpeakerId (id# and 22 letters and digits) or a CustomerSpeakerId (letters, digits, _ and -, starting with a letter or digit).',
);

export const fraudsterId = text('FraudsterId', 25, 25, /^id#[a-zA-Z0-9]{22}$/, 'must be id# followed by 22 letters and digits.');

export const speakerInput = z.object({ DomainId: resourceId('DomainId'), SpeakerId: speakerId });

export const fraudsterInput = z.object({ DomainId: resourceId('DomainId'), FraudsterId: fraudsterId });

export const fraudsterMembershipInput = fraudsterInput.extend({ WatchlistId: resourceId('WatchlistId') });

export const sessionName = text(
  'SessionName',
  1,
  36,
  NAME_PATTERN,
  'must start with a letter or digit and contain only letters, digits, underscores and hyphens (in a contact centre, the contact id).',
);

export const sessionNameOrId = text(
  'SessionNameOrId',
  1,
  36,
  /^(id#[a-zA-Z0-9]{22}|[a-zA-Z0-9][a-zA-Z0-9_-]*)$/,
  'must be a SessionId (id# and 22 letters and digits) or a SessionName (letters, digits, _ and -, starting with a letter or digit).',
);

/** The input of operations that name one session of a domain. */
export const sessionInput = z.object({ DomainId: resourceId('DomainId'), SessionNameOrId: sessionNameOrId });

/** A whole number in a range, with a message that names the member and the range. */
export const wholeNumber = (member: string, min: number, max: number) =>
  z
    .number({ error: `${member} must be a whole number from ${min} to ${max}.` })
    .int(`${member} must be a whole number from ${min} to ${max}.`)
    .min(min, `${member} must be a whole number from ${min} to ${max}.`)
    .max(max, `${member} must be a whole number from ${min} to ${max}.`);

export const threshold = (member: string) => wholeNumber(member, 0, 100);

export const enabled = (member: string) => z.boolean({ error: `${member} must be true or false.` });

export const resourceArn = text(
  'ResourceArn',
  1,
  1011,
  /^arn:aws(-[^:]+)?:voiceid.+:[0-9]{12}:domain\/[a-zA-Z0-9]{22}$/,
  'must be the ARN of a Voice ID domain (arn:aws:voiceid:<region>:<account>:domain/<DomainId>).',
);

export const clientToken = text('ClientToken', 1, 64, /^[a-zA-Z0-9-_]+$/, 'may contain only letters, digits, hyphens and underscores.');

export const kmsKeyId = text('KmsKeyId', 1, 2048);

export const maxResults = (max: number) =>
  z
    .number({ error: 'MaxResults must be a whole number.' })
    .int('MaxResults must be a whole number.')
    .min(1, `MaxResults must be between 1 and ${max}.`)
    .max(max, `MaxResults must be between 1 and ${max}.`);

export const nextToken = z.string({ error: 'NextToken must be a string.' }).max(8192, 'NextToken must be at most 8192 characters long.');

const TAG_HINT = 'may contain only letters, digits, spaces and _ . : / = + - @.';
const tagKey = text('Tag Key', 1, 128, TAG_PATTERN, TAG_HINT);

export const tagKeyList = z
  .array(tagKey, { error: (issue) => (issue.input === undefined ? 'TagKeys is required.' : 'TagKeys must be a list of tag keys.') })
  .max(200, 'TagKeys may list at most 200 keys.');

export const tagList = z
  .array(
    z.object({
      Key: tagKey,
      Value: text('Tag Value', 0, 256, TAG_PATTERN, TAG_HINT),
    }),
    { error: (issue) => (issue.input === undefined ? 'Tags is required.' : 'Tags must be a list of {Key, Value} objects.') },
  )
  .max(200, 'A resource can have at most 200 tags.')
  .refine((tags) => new Set(tags.map((t) => t.Key)).size === tags.length, 'Tags must not repeat a Key.');

export const serverSideEncryptionConfiguration = z.object(
  { KmsKeyId: kmsKeyId },
  { error: 'ServerSideEncryptionConfiguration must be an object with a KmsKeyId.' },
);

/**
 * Parses an operation's input, turning the first problem into a ValidationException. Unknown members are
 * ignored, as AWS services do, so newer SDKs that send extra members keep working.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new ValidationException(result.error.issues[0].message);
}
