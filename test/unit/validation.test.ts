import { z } from 'zod';
import { ValidationException } from '#api-model/errors';
import {
  clientToken,
  description,
  domainIdInput,
  fraudsterId,
  fraudsterMembershipInput,
  kmsKeyId,
  maxResults,
  nextToken,
  parseInput,
  resourceArn,
  resourceId,
  resourceName,
  serverSideEncryptionConfiguration,
  speakerId,
  speakerInput,
  tagKeyList,
  tagList,
  watchlistInput,
} from '#api-model/validation';

/**
 * The Voice ID model's rules, at their edges, with the exact message a caller reads. The API tests go through
 * these for each operation; here each rule is pinned once, quickly.
 */
function outcome(schema: z.ZodType, input: unknown): { ok: unknown } | { refused: string } {
  try {
    return { ok: parseInput(schema, input) };
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as ValidationException).statusCode).toBe(400);
    return { refused: (error as Error).message };
  }
}

/** The message for a member missing from its request (a rule alone gets `{}` for a missing input). */
const whenMissing = (member: string, schema: z.ZodType) => outcome(z.object({ [member]: schema }), {});

/** Cases as [input, exact message] for refusals, or [input] for values taken as they are. */
type Case = [unknown] | [unknown, string];

function check(schema: z.ZodType, cases: Case[]) {
  for (const [input, message] of cases) {
    expect({ input, outcome: outcome(schema, input) }).toEqual({
      input,
      outcome: message === undefined ? { ok: input } : { refused: message },
    });
  }
}

const id22 = 'aB3'.repeat(7) + 'z';
const NAME_HINT = 'must start with a letter or digit and contain only letters, digits, underscores and hyphens.';
const TAG_HINT = 'may contain only letters, digits, spaces and _ . : / = + - @.';

describe('the Voice ID model rules', () => {
  it('Name: 1 to 256 letters, digits, _ and -, starting with a letter or digit', () => {
    check(resourceName('Name'), [
      ['a'],
      ['9'],
      ['Support_line-2'],
      ['n'.repeat(256)],
      ['', 'Name must be at least 1 characters long.'],
      ['n'.repeat(257), 'Name must be at most 256 characters long.'],
      ['-leading-hyphen', `Name ${NAME_HINT}`],
      ['_leading-underscore', `Name ${NAME_HINT}`],
      ['has space', `Name ${NAME_HINT}`],
      ['dot.ted', `Name ${NAME_HINT}`],
      ['ünïcode', `Name ${NAME_HINT}`],
      ['line\nbreak', `Name ${NAME_HINT}`],
      [42, 'Name must be a string.'],
      [null, 'Name must be a string.'],
    ]);
    check(resourceName('WatchlistName'), [['', 'WatchlistName must be at least 1 characters long.']]);
    expect(whenMissing('Name', resourceName('Name'))).toEqual({ refused: 'Name is required.' });
  });

  it('Description: 1 to 1024 letters (any script), digits, spaces and _ . : / = + - % @', () => {
    const hint = 'Description may contain only letters, digits, spaces and _ . : / = + - % @.';
    check(description(), [
      ['Calls to the support line'],
      ['Überprüfte Anrufe: 50% @ 10/12 = ok_+-.'],
      ['d'.repeat(1024)],
      ['', 'Description must be at least 1 characters long.'],
      ['d'.repeat(1025), 'Description must be at most 1024 characters long.'],
      ['semi;colon', hint],
      ['quote"', hint],
      ['tab\there', hint],
    ]);
    check(description('Note'), [['no;', 'Note may contain only letters, digits, spaces and _ . : / = + - % @.']]);
    expect(whenMissing('Description', description())).toEqual({ refused: 'Description is required.' });
  });

  it('resource ids: exactly 22 letters and digits', () => {
    check(resourceId('DomainId'), [
      [id22],
      ['0123456789abcdefghijKL'],
      [id22.slice(1), 'DomainId must be at least 22 characters long.'],
      [id22 + 'x', 'DomainId must be at most 22 characters long.'],
      ['has-hyphen-abcdefghijk', 'DomainId must be exactly 22 letters and digits.'],
      [`id#${id22}`.slice(0, 22), 'DomainId must be exactly 22 letters and digits.'],
    ]);
    expect(whenMissing('DomainId', resourceId('DomainId'))).toEqual({ refused: 'DomainId is required.' });
  });

  it('SpeakerId: a GeneratedSpeakerId (id# and 22) or a CustomerSpeakerId of up to 256', () => {
    const hint =
      'SpeakerId must be a GeneratedSpeakerId (id# and 22 letters and digits) or a CustomerSpeakerId (letters, digits, _ and -, starting with a letter or digit).';
    check(speakerId, [
      [`id#${id22}`],
      ['caller-1001'],
      ['C_1-x'],
      ['s'.repeat(256)],
      ['', 'SpeakerId must be at least 1 characters long.'],
      ['s'.repeat(257), 'SpeakerId must be at most 256 characters long.'],
      ['id#short', hint],
      [`id#${id22}x`, hint],
      [`xd#${id22}`, hint],
      ['-caller', hint],
      ['has space', hint],
    ]);
  });

  it('FraudsterId: id# and 22 letters and digits', () => {
    check(fraudsterId, [
      [`id#${id22}`],
      [`id#${id22.slice(1)}`, 'FraudsterId must be at least 25 characters long.'],
      [`id#${id22}x`, 'FraudsterId must be at most 25 characters long.'],
      [`xx#${id22}`, 'FraudsterId must be id# followed by 22 letters and digits.'],
      [`id#${id22.slice(1)}-`, 'FraudsterId must be id# followed by 22 letters and digits.'],
    ]);
  });

  it('ResourceArn: the ARN of a Voice ID domain, in any partition', () => {
    const hint = 'ResourceArn must be the ARN of a Voice ID domain (arn:aws:voiceid:<region>:<account>:domain/<DomainId>).';
    check(resourceArn, [
      [`arn:aws:voiceid:us-east-1:000000000000:domain/${id22}`],
      [`arn:aws-cn:voiceid:cn-north-1:123456789012:domain/${id22}`],
      [`arn:aws:s3:::bucket`, hint],
      [`arn:aws:voiceid:us-east-1:00000000000:domain/${id22}`, hint],
      [`arn:aws:voiceid:us-east-1:000000000000:watchlist/${id22}`, hint],
      [`arn:aws:voiceid:us-east-1:000000000000:domain/${id22}x`, hint],
      [`xarn:aws:voiceid:us-east-1:000000000000:domain/${id22}`, hint],
      ['', 'ResourceArn must be at least 1 characters long.'],
      ['a'.repeat(1012), 'ResourceArn must be at most 1011 characters long.'],
    ]);
  });

  it('ClientToken: 1 to 64 letters, digits, - and _', () => {
    const hint = 'ClientToken may contain only letters, digits, hyphens and underscores.';
    check(clientToken, [
      ['retry-1_A'],
      ['t'.repeat(64)],
      ['t'.repeat(65), 'ClientToken must be at most 64 characters long.'],
      ['', 'ClientToken must be at least 1 characters long.'],
      ['bad token!', hint],
      ['dot.ted', hint],
    ]);
  });

  it('KmsKeyId: 1 to 2048 characters of any kind', () => {
    check(kmsKeyId, [
      ['alias/voice-id'],
      ['k'.repeat(2048)],
      ['', 'KmsKeyId must be at least 1 characters long.'],
      ['k'.repeat(2049), 'KmsKeyId must be at most 2048 characters long.'],
    ]);
    check(serverSideEncryptionConfiguration, [
      [{ KmsKeyId: 'alias/voice-id' }],
      [{}, 'KmsKeyId is required.'],
      ['alias/voice-id', 'ServerSideEncryptionConfiguration must be an object with a KmsKeyId.'],
    ]);
    expect(whenMissing('ServerSideEncryptionConfiguration', serverSideEncryptionConfiguration)).toEqual({
      refused: 'ServerSideEncryptionConfiguration must be an object with a KmsKeyId.',
    });
  });

  it('MaxResults: a whole number from 1 to the maximum of the list', () => {
    check(maxResults(10), [
      [1],
      [10],
      [0, 'MaxResults must be between 1 and 10.'],
      [11, 'MaxResults must be between 1 and 10.'],
      [-1, 'MaxResults must be between 1 and 10.'],
      [2.5, 'MaxResults must be a whole number.'],
      ['5', 'MaxResults must be a whole number.'],
    ]);
    check(maxResults(100), [[100], [101, 'MaxResults must be between 1 and 100.']]);
  });

  it('NextToken: a string of at most 8192 characters', () => {
    check(nextToken, [
      [''],
      ['n'.repeat(8192)],
      ['n'.repeat(8193), 'NextToken must be at most 8192 characters long.'],
      [7, 'NextToken must be a string.'],
    ]);
  });

  it('Tags: up to 200 distinct keys of 1 to 128 and values of 0 to 256 letters, digits, spaces and _ . : / = + - @', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    check(tagList, [
      [[]],
      [[{ Key: 'team', Value: '' }]],
      [[{ Key: 'Kostenstelle 42: a/b=c+d-e@f_g.h', Value: 'v'.repeat(256) }]],
      [[{ Key: 'k'.repeat(128), Value: 'v' }]],
      [tags(200)],
      [tags(201), 'A resource can have at most 200 tags.'],
      [
        [
          { Key: 'a', Value: '1' },
          { Key: 'a', Value: '2' },
        ],
        'Tags must not repeat a Key.',
      ],
      [[{ Key: '', Value: '1' }], 'Tag Key must be at least 1 characters long.'],
      [[{ Key: 'k'.repeat(129), Value: '1' }], 'Tag Key must be at most 128 characters long.'],
      [[{ Key: 'k', Value: 'v'.repeat(257) }], 'Tag Value must be at most 256 characters long.'],
      [[{ Key: 'bad;key', Value: '1' }], `Tag Key ${TAG_HINT}`],
      [[{ Key: '50%', Value: '1' }], `Tag Key ${TAG_HINT}`],
      [[{ Key: 'k', Value: 'semi;' }], `Tag Value ${TAG_HINT}`],
      [[{ Key: 'k' }], 'Tag Value is required.'],
      [{ Key: 'k', Value: 'v' }, 'Tags must be a list of {Key, Value} objects.'],
    ]);
    check(tagKeyList, [
      [['team', 'cost-centre']],
      [Array.from({ length: 200 }, (_, i) => `k${i}`)],
      [Array.from({ length: 201 }, (_, i) => `k${i}`), 'TagKeys may list at most 200 keys.'],
      [[''], 'Tag Key must be at least 1 characters long.'],
      [['bad;key'], `Tag Key ${TAG_HINT}`],
      ['team', 'TagKeys must be a list of tag keys.'],
    ]);
    expect(whenMissing('Tags', tagList)).toEqual({ refused: 'Tags is required.' });
    expect(whenMissing('TagKeys', tagKeyList)).toEqual({ refused: 'TagKeys is required.' });
  });

  it('operation inputs: every member named, checked in order, unknown members dropped', () => {
    check(domainIdInput, [[{ DomainId: id22 }], [{}, 'DomainId is required.'], [undefined, 'DomainId is required.']]);
    expect(parseInput(domainIdInput, { DomainId: id22, FromANewerSdk: true })).toEqual({ DomainId: id22 });
    check(watchlistInput, [
      [{ DomainId: id22, WatchlistId: id22 }],
      [{ DomainId: id22 }, 'WatchlistId is required.'],
      [{ WatchlistId: 'x' }, 'DomainId is required.'],
    ]);
    check(speakerInput, [[{ DomainId: id22, SpeakerId: 'caller-1' }], [{ DomainId: id22 }, 'SpeakerId is required.']]);
    check(fraudsterMembershipInput, [
      [{ DomainId: id22, FraudsterId: `id#${id22}`, WatchlistId: id22 }],
      [{ DomainId: id22, FraudsterId: `id#${id22}` }, 'WatchlistId is required.'],
      [{ DomainId: id22, WatchlistId: id22 }, 'FraudsterId is required.'],
    ]);
  });
});
