import type { Random } from './random.ts';

/** JSON text put into a body as it is: nesting too deep to build as objects, numbers JSON can write but not JS. */
export class RawJson {
  constructor(readonly text: string) {}
}

export type FuzzValue = RawJson | string | number | boolean | null | FuzzValue[] | { [member: string]: FuzzValue };

/** JSON text of a value; JSON.stringify escapes lone surrogates and control characters, so the text is valid UTF-8. */
export function toJson(value: FuzzValue): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([name, member]) => `${JSON.stringify(name)}:${toJson(member)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Characters that break naive handling: lone surrogates, NUL and other controls, bidirectional overrides,
 * combining marks, noncharacters, line separators, look-alikes, and the delimiters of paths, queries and ids.
 */
const ODD_PIECES = [
  '\u0000',
  '\u0007',
  '\ud800',
  '\udfff',
  '\udc00\ud800',
  '\u202e',
  '\u200f',
  '\u200b',
  '\u0301',
  'e\u0301\u0301\u0301',
  '\ufeff',
  '\uffff',
  '\ufffe',
  '\u{10ffff}',
  '\u{1f600}',
  '\u2028',
  '\u0085',
  '\u00a0',
  '\r\n',
  '\t',
  'İ',
  'ß',
  'ﬃ',
  '\u0600',
  'א',
  '％',
  '"',
  "'",
  '\\',
  '%',
  '%00',
  '%zz',
  '../',
  '..',
  '/',
  '#',
  '?',
  '&',
  '=',
  '+',
  ' ',
  '*',
  '${x}',
  '<script>',
  'id#',
  'arn:aws:voiceid:',
];

const ASCII = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function asciiWord(r: Random, length: number): string {
  let word = '';
  for (let i = 0; i < length; i++) word += ASCII[r.int(ASCII.length)];
  return word;
}

/** A short string with at least one odd piece in it, among letters. */
export function oddString(r: Random): string {
  const parts: string[] = [];
  const count = r.between(1, 6);
  for (let i = 0; i < count; i++) parts.push(r.chance(0.6) ? r.pick(ODD_PIECES) : asciiWord(r, r.between(1, 12)));
  if (!parts.some((part) => ODD_PIECES.includes(part))) parts.push(r.pick(ODD_PIECES));
  return parts.join('');
}

/** A string past any limit of the model: just over a typical maximum, or far over it. */
export function longString(r: Random, atLeast: number): string {
  const length = r.pick([atLeast + 1, atLeast * 2, atLeast + 1000, 70_000, 300_000]);
  const unit = r.chance(0.5) ? 'a' : r.pick(['é', '\u{1f600}', '\u0000', 'e\u0301', 'ab1']);
  return unit.repeat(Math.ceil(length / unit.length));
}

/** Nesting deeper than any member has: arrays or objects, hundreds to a hundred thousand levels. */
export function deepNesting(r: Random): RawJson {
  const depth = r.pick([64, 1000, 10_000, 100_000]);
  return r.chance(0.5)
    ? new RawJson(`${'['.repeat(depth)}${']'.repeat(depth)}`)
    : new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

/** A value of any JSON type, often not the one a member takes. */
export function anyValue(r: Random): FuzzValue {
  return r.weighted<() => FuzzValue>([
    [3, () => r.pick([0, -1, 1, 1.5, -0.5, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, 5e-324])],
    [2, () => new RawJson(r.pick(['1e400', '-1e400', '-0', '1E-400', '0.0000000000000000000001', '123456789012345678901234567890']))],
    [2, () => r.chance(0.5)],
    [2, () => null],
    [2, () => ''],
    [3, () => oddString(r)],
    [2, () => []],
    [2, () => ({})],
    [1, () => [oddString(r), 1, null]],
    [1, () => ({ [oddString(r)]: oddString(r) })],
    [1, () => deepNesting(r)],
    [1, () => new Array<FuzzValue>(r.pick([1000, 50_000])).fill(0)],
  ])();
}

/** A member name no operation declares, some of them names that plain JS objects already have. */
export function unknownMemberName(r: Random): string {
  if (r.chance(0.5)) return oddString(r);
  return r.pick(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'domainid', 'DOMAINID', 'x'.repeat(5000)]);
}

/** The JSON Schema of one member, as z.toJSONSchema writes it. */
export interface MemberSchema {
  type?: string;
  enum?: string[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: MemberSchema;
  properties?: Record<string, MemberSchema>;
  required?: string[];
  anyOf?: MemberSchema[];
  const?: unknown;
}

/** What a valid member of each name is, in the fuzz domain: the fixtures' ids, so that a request reaches real data. */
export interface Fixtures {
  domainId: string;
  watchlistId: string;
  sessionId: string;
  sessionName: string;
  domainArn: string;
  kmsKeyArn: string;
  roleArn: string;
  bucket: string;
}

const STRING_HINTS: Record<string, (f: Fixtures, r: Random) => string> = {
  DomainId: (f) => f.domainId,
  WatchlistId: (f) => f.watchlistId,
  SessionNameOrId: (f, r) => (r.chance(0.5) ? f.sessionId : f.sessionName),
  SessionName: (_, r) => `fuzz-${asciiWord(r, 8)}`,
  SpeakerId: (_, r) => `fuzz-speaker-${asciiWord(r, 6)}`,
  FraudsterId: (_, r) => `id#${asciiWord(r, 22)}`,
  JobId: (_, r) => asciiWord(r, 22),
  ResourceArn: (f) => f.domainArn,
  KmsKeyId: (f) => f.kmsKeyArn,
  DataAccessRoleArn: (f) => f.roleArn,
  S3Uri: (f, r) => `s3://${f.bucket}/fuzz/${asciiWord(r, 8)}`,
  ClientToken: (_, r) => asciiWord(r, 16),
  Audio: () => 'AAAA',
  Key: (_, r) => asciiWord(r, 5),
  Value: (_, r) => asciiWord(r, 5),
};

/** A valid value of a member, from its schema and, for ids, the fixtures. */
export function validValue(name: string, schema: MemberSchema, f: Fixtures, r: Random): FuzzValue {
  if (schema.enum) return r.pick(schema.enum);
  if (schema.anyOf) return validValue(name, r.pick(schema.anyOf), f, r);
  if (schema.const !== undefined) return schema.const as FuzzValue;
  switch (schema.type) {
    case 'string':
      return STRING_HINTS[name]?.(f, r) ?? asciiWord(r, Math.max(schema.minLength ?? 1, 4));
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return true;
    case 'array':
      return schema.items ? [validValue(name.replace(/s$/, ''), schema.items, f, r)] : [];
    case 'object':
      return validObject(schema, f, r);
    default:
      return null;
  }
}

/** An object with every required member valid, and each optional one with even odds. */
export function validObject(schema: MemberSchema, f: Fixtures, r: Random): { [member: string]: FuzzValue } {
  const out: { [member: string]: FuzzValue } = {};
  for (const [name, member] of Object.entries(schema.properties ?? {})) {
    if (schema.required?.includes(name) || r.chance(0.5)) out[name] = validValue(name, member, f, r);
  }
  return out;
}
