import { z } from 'zod';
import { decodeWav } from '#biometrics/wav';
import { operations, operationsByName } from '#operations/index';
import type { Operation } from '#operations/operation';
import { restRoutes, WIRE_PROTOCOL_PATH, WIRE_TARGET_PREFIX } from '#transport/rest-routes';
import { badBase64, badPcm, lyingWav } from './audio.ts';
import { inputSeed, Random } from './random.ts';
import {
  anyValue,
  asciiWord,
  deepNesting,
  type Fixtures,
  type FuzzValue,
  longString,
  type MemberSchema,
  oddString,
  RawJson,
  toJson,
  unknownMemberName,
  validObject,
} from './values.ts';

/** How a request is signed: as a client with the stack's credentials does, or in one of the ways IAM refuses. */
export type Signing = 'signed' | 'unsigned' | 'wrong-secret' | 'stale-date' | 'other-service' | 'garbled';

/** One generated request, exactly as it is sent, with what the service must answer to it. */
export interface FuzzInput {
  index: number;
  kind: string;
  /** The operation the request would reach, when it reaches one. */
  operation?: string;
  method: string;
  /** Path and query, as sent on the request line. */
  target: string;
  headers: Record<string, string>;
  body: Buffer;
  signing: Signing;
  /**
   * `refused`: the request is bad for certain (by the operation's own schema, or by construction), so it must be
   * answered 4xx and change nothing. `answered`: a read whose members may be valid: any answer but a 5xx.
   */
  expect: 'refused' | 'answered';
  /** What was done to the request, for a failure report. */
  notes: string[];
}

const schemas = new Map(operations.map((op) => [op.name, z.toJSONSchema(op.input, { io: 'input' }) as MemberSchema]));

/** Operations that only read: a valid request to one is harmless, so the fuzzer may send them valid members too. */
const isRead = (op: Operation) => /^(Describe|List|Get)/.test(op.name);

interface Draft {
  kind: string;
  method: string;
  target: string;
  headers: Record<string, string>;
  body: Buffer;
  signing: Signing;
  notes: string[];
  /** Known bad by construction, whatever the schema says (audio the service cannot take, a key KMS does not have). */
  refusedByConstruction?: boolean;
}

type Generator = (r: Random, f: Fixtures) => Draft;

const JSON_CONTENT = 'application/x-amz-json-1.0';

function wireDraft(kind: string, op: string, body: string | Buffer, notes: string[]): Draft {
  return {
    kind,
    method: 'POST',
    target: WIRE_PROTOCOL_PATH,
    headers: { 'content-type': JSON_CONTENT, 'x-amz-target': `${WIRE_TARGET_PREFIX}${op}` },
    body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
    signing: 'signed',
    notes,
  };
}

/** Changes 1 to 3 members of a valid request so that it is likely bad; returns what it did. */
function mutateMembers(r: Random, members: { [member: string]: FuzzValue }, schema: MemberSchema): string[] {
  const notes: string[] = [];
  const count = r.between(1, 3);
  for (let i = 0; i < count; i++) {
    let target = members;
    let targetSchema = schema;
    // Sometimes a member of a nested object (ServerSideEncryptionConfiguration, AuthenticationConfiguration...).
    const nested = Object.entries(schema.properties ?? {}).filter(([name, s]) => s.type === 'object' && isObject(members[name]));
    let prefix = '';
    if (nested.length && r.chance(0.3)) {
      const [name, s] = r.pick(nested);
      target = members[name] as { [member: string]: FuzzValue };
      targetSchema = s;
      prefix = `${name}.`;
    }
    const names = Object.keys(targetSchema.properties ?? {});
    const name = names.length ? r.pick(names) : 'Anything';
    const member = targetSchema.properties?.[name] ?? {};
    const mutation = r.weighted<() => string>([
      [4, () => ((target[name] = anyValue(r)), 'wrong type')],
      [2, () => (delete target[name], 'missing')],
      [2, () => ((target[name] = longString(r, member.maxLength ?? 1024)), 'too long')],
      [3, () => ((target[name] = oddString(r)), 'odd text')],
      [2, () => ((target[name] = outOfRange(r, member)), 'out of range')],
      [1, () => ((target[name] = r.pick(['', ' ', 'skip', 'Skip ', 'SKIP\u0000', 'OVERWRITE,SKIP', 'wav', 'pcm16'])), 'odd enum')],
      [1, () => ((target[name] = tooManyItems(r, target[name])), 'too many items')],
      [2, () => ((target[unknownMemberName(r)] = r.chance(0.3) ? deepNesting(r) : anyValue(r)), 'unknown member')],
    ])();
    notes.push(`${mutation} ${prefix}${name}`);
  }
  return notes;
}

function isObject(value: FuzzValue | undefined): value is { [member: string]: FuzzValue } {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof RawJson);
}

function outOfRange(r: Random, member: MemberSchema): FuzzValue {
  const min = member.minimum ?? 0;
  const max = member.maximum ?? 100;
  return r.pick<FuzzValue>([min - 1, max + 1, min + 0.5, -1e308, 1e308, `${min}`, new RawJson('1e400'), new RawJson('-0'), 2 ** 53 + 1]);
}

function tooManyItems(r: Random, value: FuzzValue | undefined): FuzzValue {
  const item: FuzzValue = Array.isArray(value) && value.length ? value[0] : oddString(r);
  return new Array<FuzzValue>(r.pick([4, 201, 10_001])).fill(item);
}

/** A member as it goes into a path segment or a query value: text as it is, anything else as its JSON. */
const asText = (value: FuzzValue) => (typeof value === 'string' ? value : toJson(value));

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) is written as the three bytes UTF-8 would
 * give it (WTF-8, %ED%A0%80 for U+D800): what a client that does not check its strings sends.
 */
function percentEncode(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    const lone = char.length === 1 && code >= 0xd800 && code <= 0xdfff;
    out += lone
      ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((byte) => `%${byte.toString(16).toUpperCase()}`)
          .join('')
      : encodeURIComponent(char);
  }
  return out;
}

/** Percent-encodings that are not: bad escapes, overlong and surrogate UTF-8, encoded separators and dot segments. */
const RAW_SEGMENTS = [
  '%',
  '%z',
  '%zz',
  '%C0%AF',
  '%ED%A0%80',
  '%FF%FE',
  '%00',
  '%2F',
  '%252F',
  '.',
  '..',
  '%2e%2e',
  '%2E',
  '~',
  "'",
  '%E2%80%AE',
];

const bodyGenerators: Record<string, Generator> = {
  /** Every operation over the wire protocol, its members changed. */
  'wire-members': (r, f) => {
    const op = r.pick(operations);
    const members = validObject(schemas.get(op.name)!, f, r);
    const notes = mutateMembers(r, members, schemas.get(op.name)!);
    return wireDraft('wire-members', op.name, toJson(members), notes);
  },

  /** Every operation over REST, its members changed, each in its place: path, query or body. */
  'rest-members': (r, f) => {
    const route = r.pick(restRoutes);
    const schema = schemas.get(route.operation.name)!;
    const members = validObject(schema, f, r);
    const notes = mutateMembers(r, members, schema);
    return restDraft('rest-members', route, members, r, notes);
  },

  /** Bodies that are not a JSON object: cut short, not UTF-8, another JSON type, nested too deep, too big. */
  'wire-body': (r, f) => {
    const op = r.pick(operations);
    const valid = toJson(validObject(schemas.get(op.name)!, f, r));
    const [note, body] = r.weighted<() => [string, string | Buffer]>([
      [3, () => ['cut short', valid.slice(0, r.int(valid.length))]],
      [
        2,
        () => [
          'not UTF-8',
          Buffer.concat([Buffer.from(valid.slice(0, -1)), Buffer.from([0xc0, 0xaf, 0xff, 0xed, 0xa0, 0x80]), Buffer.from('}')]),
        ],
      ],
      [2, () => ['byte order mark', `\ufeff${valid}`]],
      [3, () => ['not an object', r.pick(['[]', '"text"', '42', 'null', 'true', '[{}]', toJson(deepNesting(r))])]],
      [2, () => ['garbage', Buffer.from(r.bytes(r.between(1, 300)))]],
      [1, () => ['huge', `{"Padding":"${'x'.repeat(r.pick([1_000_000, 5_000_000]))}"${valid.length > 2 ? `,${valid.slice(1)}` : '}'}`]],
      [1, () => ['over 10 MB', `{"Padding":"${'x'.repeat(10 * 1024 * 1024 + 1)}"}`]],
      [1, () => ['deep', `{"Nested":${toJson(deepNesting(r))}${valid.length > 2 ? `,${valid.slice(1)}` : '}'}`]],
      [1, () => ['duplicate members', valid.length > 2 ? `{"DomainId":1,${valid.slice(1, -1)},"DomainId":{}}` : '{"a":1,"a":2}']],
      [1, () => ['trailing data', `${valid}${r.pick(['x', '{}', ',', '\u0000'])}`]],
    ])();
    return wireDraft('wire-body', op.name, body, [note]);
  },

  /** REST paths: bad percent-encodings, dot segments, overlong, extra or missing segments, other methods. */
  'rest-path': (r, f) => {
    const route = r.pick(restRoutes);
    const members = validObject(schemas.get(route.operation.name)!, f, r);
    // A domain that does not exist, so that a dot segment resolving to another route cannot change the fixtures.
    if ('DomainId' in members) members.DomainId = asciiWord(r, 22);
    const notes: string[] = [];
    let path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (!r.chance(0.5)) return percentEncode(asText(members[name] ?? 'x'));
      const segment = r.weighted<() => string>([
        [4, () => r.pick(RAW_SEGMENTS)],
        [1, () => 'a'.repeat(r.pick([257, 5000, 60_000]))],
        [2, () => percentEncode(oddString(r))],
        [1, () => `${percentEncode(asText(members[name] ?? 'x'))}${r.pick(RAW_SEGMENTS)}`],
      ])();
      notes.push(`segment ${name}=${segment.slice(0, 40)}`);
      return segment;
    });
    path = r.weighted<() => string>([
      [5, () => path],
      [1, () => `${path}/`],
      [1, () => `${path}/${r.pick(RAW_SEGMENTS)}`],
      [1, () => path.replace(/\/[^/]*$/, '')],
      [1, () => path.replace('/', '//')],
      [1, () => `/${asciiWord(r, 6)}${path}`],
    ])();
    const method = r.chance(0.2) ? r.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']) : route.method;
    const body = method === 'GET' || method === 'HEAD' || r.chance(0.5) ? '' : r.pick(['', 'not json', '{"Name":1}', '[]']);
    notes.push(`${method} ${path.slice(0, 80)}`);
    return {
      kind: 'rest-path',
      method,
      target: path,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(body),
      signing: 'signed',
      notes,
    };
  },

  /** Query strings of the routes that read one: repeated, non-numeric, huge, badly encoded, unknown members. */
  'rest-query': (r, f) => {
    const route = r.pick(restRoutes.filter((candidate) => candidate.query));
    const schema = schemas.get(route.operation.name)!;
    const members = validObject(schema, f, r);
    const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => percentEncode(asText(members[name])));
    const pairs: string[] = [];
    for (const [name, kind] of Object.entries(route.query!)) {
      if (members[name] === undefined) continue;
      const values = kind === 'list' && Array.isArray(members[name]) ? members[name] : [members[name]];
      for (const value of values) pairs.push(`${name}=${percentEncode(asText(value))}`);
    }
    const name = r.pick(Object.keys(route.query!));
    const value = r.weighted<() => string>([
      [3, () => percentEncode(r.pick(['1e2', '0x10', ' 5', '5 ', '+5', '٥', '-0', '1.0', '99999999999999999999', '', 'NaN', 'Infinity']))],
      [3, () => r.pick(['%', '%zz', '%ED%A0%80', '%00', '%C0%AF', '+', '%2B', '&', '=', '%26%3D'])],
      [2, () => percentEncode(oddString(r))],
      [1, () => 'A'.repeat(r.pick([8193, 20_000]))],
    ])();
    const note = r.weighted<() => string>([
      [3, () => (pairs.push(`${name}=${value}`), `${name}=${value.slice(0, 40)}`)],
      [1, () => (pairs.push(`${name}=${value}`, `${name}=${value}`), `${name} twice`)],
      [1, () => (pairs.push(...new Array<string>(r.pick([201, 1000])).fill(`${name}=k`)), `${name} many times`)],
      [1, () => (pairs.push(`${percentEncode(oddString(r))}=${value}`), 'unknown member')],
      [1, () => (pairs.push(r.pick(['&&&', '=', '==', `${name}`, `${name}==`, '%=%'])), 'malformed pair')],
    ])();
    return {
      kind: 'rest-query',
      method: route.method,
      target: `${path}?${pairs.join('&')}`,
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(0),
      signing: 'signed',
      notes: [note],
    };
  },

  /** Headers of the wire protocol: X-Amz-Target, content types and encodings, huge or many headers, bad signatures. */
  headers: (r, f) => {
    const op = r.pick(operations);
    const members = validObject(schemas.get(op.name)!, f, r);
    if (!isRead(op)) mutateMembers(r, members, schemas.get(op.name)!);
    const draft = wireDraft('headers', op.name, toJson(members), []);
    const note = r.weighted<() => string>([
      [
        4,
        () => {
          const target = r.pick([
            '',
            'VoiceID.',
            'VoiceID.Unknown',
            `voiceid.${op.name}`,
            `VoiceID.${op.name.toLowerCase()}`,
            'VoiceID.__proto__',
            'VoiceID.constructor',
            'VoiceID.hasOwnProperty',
            `VoiceID.${op.name},VoiceID.ListDomains`,
            `AWSVoiceID.${op.name}`,
            `VoiceID.${op.name}\u00e9`,
            `VoiceID.${'A'.repeat(8000)}`,
            `VoiceID.${op.name} `,
            `VoiceID..${op.name}`,
          ]);
          if (target === '') delete draft.headers['x-amz-target'];
          else draft.headers['x-amz-target'] = target;
          return `x-amz-target ${target.slice(0, 40)}`;
        },
      ],
      [
        2,
        () => (
          (draft.headers['content-type'] = r.pick([
            'text/plain',
            '',
            'application/json; charset=utf-16',
            'multipart/form-data; boundary=x',
            '\u00ff\u00fe',
            'application/x-amz-json-1.1',
          ])),
          'content-type'
        ),
      ],
      [
        2,
        () => (
          (draft.headers['content-encoding'] = r.pick(['gzip', 'deflate', 'br', 'x-unknown', 'gzip, gzip', 'identity'])), 'content-encoding'
        ),
      ],
      [1, () => ((draft.headers['x-fuzz-padding'] = 'a'.repeat(r.pick([9000, 20_000, 100_000]))), 'huge header')],
      [1, () => (Array.from({ length: 150 }, (_, i) => (draft.headers[`x-fuzz-${i}`] = oddHeaderValue(r))), 'many headers')],
      [1, () => ((draft.headers['x-correlation-id'] = r.pick(['', 'a'.repeat(10_000), 'id\u00ff', 'a b', '{}'])), 'correlation id')],
      [1, () => ((draft.headers['x-amz-content-sha256'] = r.pick(['UNSIGNED-PAYLOAD', '0'.repeat(64), 'nope'])), 'content hash')],
      [
        3,
        () => (
          (draft.signing = r.pick<Signing>(['unsigned', 'wrong-secret', 'stale-date', 'other-service', 'garbled'])),
          `signing ${draft.signing}`
        ),
      ],
    ])();
    draft.notes.push(note);
    return draft;
  },

  /** AppendSessionAudio with WAV chunks whose headers lie, over both transports. */
  'audio-wav': (r, f) =>
    audioDraft(r, f, 'audio-wav', () => {
      const wav = lyingWav(r);
      return { Audio: Buffer.from(wav).toString('base64'), AudioFormat: 'WAV', ...(r.chance(0.3) ? { ChannelId: r.pick([0, 1]) } : {}) };
    }),

  /** AppendSessionAudio with raw PCM16 that cannot be a chunk. */
  'audio-pcm': (r, f) =>
    audioDraft(r, f, 'audio-pcm', () => ({
      Audio: Buffer.from(badPcm(r)).toString('base64'),
      ...(r.chance(0.3) ? { AudioFormat: 'PCM16' } : {}),
    })),

  /** AppendSessionAudio whose Audio is not base64. */
  'audio-base64': (r, f) => audioDraft(r, f, 'audio-base64', () => ({ Audio: badBase64(r, r.bytes(2 * r.between(1, 400))) })),

  /** Good audio out of order (the fixture session expects chunk 0), or PCM16 naming a channel. */
  'audio-sequence': (r, f) =>
    audioDraft(r, f, 'audio-sequence', (): { [member: string]: FuzzValue } =>
      r.chance(0.7)
        ? { Audio: Buffer.from(r.bytes(1600)).toString('base64'), SequenceNumber: r.pick([1, 2, 1000, 1_000_000]) }
        : { Audio: Buffer.from(r.bytes(1600)).toString('base64'), ChannelId: r.pick([0, 1]) },
    ),

  /**
   * Valid members naming what does not exist: a domain no one created, or in the fixtures' domain a watchlist,
   * fraudster, speaker, session or job that is not there, with odd text where a member has no pattern (NextToken,
   * KmsKeyId). These pass validation and reach the operations' own code and the stores: each must be a 4xx.
   */
  'unknown-resource': (r, f) => {
    const op = r.pick(
      operations.filter((candidate) =>
        schemas.get(candidate.name)!.required?.some((name) => name === 'DomainId' || name === 'ResourceArn'),
      ),
    );
    const schema = schemas.get(op.name)!;
    const members = validObject(schema, f, r);
    for (const name of ['NextToken', 'KmsKeyId']) {
      if (name in members || (schema.properties?.[name] && r.chance(0.5))) members[name] = oddString(r);
    }
    const children = Object.keys(UNKNOWN_CHILD).filter((name) => schema.required?.includes(name));
    let note: string;
    if (children.length && r.chance(0.5)) {
      for (const name of children) members[name] = UNKNOWN_CHILD[name](r);
      note = `unknown ${children.join(', ')}`;
    } else {
      const domainId = asciiWord(r, 22);
      if ('DomainId' in members) members.DomainId = domainId;
      if ('ResourceArn' in members) members.ResourceArn = f.domainArn.replace(f.domainId, domainId);
      note = 'unknown domain';
    }
    const route = restRoutes.find((candidate) => candidate.operation === op);
    const draft =
      route && r.chance(0.5)
        ? restDraft('unknown-resource', route, members, r, [])
        : wireDraft('unknown-resource', op.name, toJson(members), []);
    draft.notes.push(note);
    draft.refusedByConstruction = true;
    return draft;
  },

  /** CreateDomain and UpdateDomain naming keys KMS does not have: valid-shaped ids, odd text, other accounts. */
  'kms-key': (r, f) => {
    const KmsKeyId = r.weighted<() => string>([
      [3, () => oddString(r)],
      [1, () => `arn:aws:kms:us-east-1:000000000000:key/${asciiWord(r, 8)}-${asciiWord(r, 4)}-${asciiWord(r, 4)}`],
      [1, () => `alias/${oddString(r)}`],
      [1, () => `arn:aws:kms:eu-west-1:111122223333:key/${asciiWord(r, 12)}`],
      [1, () => `${f.kmsKeyArn}${oddString(r)}`],
      [1, () => 'k'.repeat(2048)],
    ])();
    const update = r.chance(0.5);
    const members = {
      ...(update ? { DomainId: f.domainId } : {}),
      Name: `fuzz-${asciiWord(r, 6)}`,
      ServerSideEncryptionConfiguration: { KmsKeyId },
    };
    const route = restRoutes.find((candidate) => candidate.operation.name === (update ? 'UpdateDomain' : 'CreateDomain'))!;
    const draft = r.chance(0.5)
      ? wireDraft('kms-key', route.operation.name, toJson(members), [])
      : restDraft('kms-key', route, members, r, []);
    draft.notes.push(`KmsKeyId ${JSON.stringify(KmsKeyId.slice(0, 60))}`);
    draft.refusedByConstruction = true;
    return draft;
  },
};

/** Ids of the fixtures' domain's children that do not exist (speakers in the GeneratedSpeakerId form: OptOutSpeaker creates a CustomerSpeakerId never seen). */
const UNKNOWN_CHILD: Record<string, (r: Random) => string> = {
  WatchlistId: (r) => asciiWord(r, 22),
  FraudsterId: (r) => `id#${asciiWord(r, 22)}`,
  SpeakerId: (r) => `id#${asciiWord(r, 22)}`,
  SessionNameOrId: (r) => (r.chance(0.5) ? `id#${asciiWord(r, 22)}` : `nobody-${asciiWord(r, 8)}`),
  JobId: (r) => asciiWord(r, 22),
};

function oddHeaderValue(r: Random): string {
  // Header values may carry latin-1 bytes but no control characters (HTTP clients refuse those before sending).
  return r.pick(['\u00ff', '\u00e9\u00e9', 'a'.repeat(100), '""', '%00', '=?utf-8?b?AA==?=']);
}

function audioDraft(r: Random, f: Fixtures, kind: string, audio: () => { [member: string]: FuzzValue }): Draft {
  const members: { [member: string]: FuzzValue } = {
    DomainId: f.domainId,
    SessionNameOrId: r.chance(0.5) ? f.sessionId : f.sessionName,
    SequenceNumber: 0,
    ...audio(),
  };
  const route = restRoutes.find((candidate) => candidate.operation.name === 'AppendSessionAudio')!;
  const draft = r.chance(0.5) ? wireDraft(kind, 'AppendSessionAudio', toJson(members), []) : restDraft(kind, route, members, r, []);
  const { Audio, ...rest } = members;
  draft.notes.push(`Audio of ${toJson(Audio).length - 2} characters, ${toJson(rest)}`);
  return draft;
}

function restDraft(
  kind: string,
  route: (typeof restRoutes)[number],
  members: { [member: string]: FuzzValue },
  r: Random,
  notes: string[],
): Draft {
  const rest = { ...members };
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = rest[name];
    delete rest[name];
    return percentEncode(value === undefined ? '' : asText(value));
  });
  const pairs: string[] = [];
  for (const [name, queryKind] of Object.entries(route.query ?? {})) {
    const value = rest[name];
    delete rest[name];
    if (value === undefined) continue;
    const values = queryKind === 'list' && Array.isArray(value) ? value : [value];
    for (const each of values) pairs.push(`${percentEncode(name)}=${percentEncode(asText(each))}`);
  }
  // A body member shadowing a path member: the path's value must win, as the dispatcher documents.
  if (r.chance(0.1) && members.DomainId !== undefined) {
    rest.DomainId = anyValue(r);
    notes.push('DomainId in the body too');
  }
  const withBody = route.method !== 'GET' && route.method !== 'DELETE' ? true : r.chance(0.1);
  return {
    kind,
    method: route.method,
    target: pairs.length ? `${path}?${pairs.join('&')}` : path,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(withBody && Object.keys(rest).length ? toJson(rest) : ''),
    signing: 'signed',
    notes,
  };
}

export const KINDS = Object.keys(bodyGenerators);

const KIND_WEIGHTS: readonly (readonly [number, string])[] = [
  [22, 'wire-members'],
  [20, 'rest-members'],
  [7, 'wire-body'],
  [12, 'rest-path'],
  [7, 'rest-query'],
  [10, 'headers'],
  [9, 'audio-wav'],
  [3, 'audio-pcm'],
  [3, 'audio-base64'],
  [2, 'audio-sequence'],
  [5, 'kms-key'],
  [8, 'unknown-resource'],
];

/**
 * Input `index` of the run seeded `seed`: drafts are generated until one is bad for certain or is a read (at most
 * 50 tries; some mutations leave a request valid, and a valid write would change the tables).
 */
export function generateInput(seed: number, index: number, f: Fixtures): FuzzInput {
  const r = new Random(inputSeed(seed, index));
  for (let attempt = 0; attempt < 50; attempt++) {
    const kind = r.weighted(KIND_WEIGHTS);
    const draft = bodyGenerators[kind](r, f);
    const outcome = expectedOutcome(draft);
    if (outcome.expect === 'write') continue;
    return { index, ...draft, operation: outcome.operation, expect: outcome.expect };
  }
  throw new Error(`Input ${index} of seed ${seed}: no bad input in 50 tries; the generators need a look.`);
}

/**
 * What the service must answer, found as its gateway and dispatcher find the operation (the path as WHATWG URL
 * normalises it, the route's pattern, X-Amz-Target) and judged by the operation's own schema: a request that fails
 * it, or reaches no operation, or is not signed right, is refused. One that passes is a read (`answered`) or a
 * write the fuzzer must not send (`write`), unless its draft is bad by construction.
 */
function expectedOutcome(draft: Draft): { operation?: string; expect: 'refused' | 'answered' | 'write' } {
  if (draft.signing !== 'signed' || draft.headers['x-amz-content-sha256'] !== undefined) return { expect: 'refused' };
  const url = new URL(draft.target, 'http://localhost');
  let operation: Operation | undefined;
  let members: Record<string, unknown> = {};
  if (url.pathname === WIRE_PROTOCOL_PATH && draft.method === 'POST') {
    const target = draft.headers['x-amz-target']?.trim();
    operation = target?.startsWith(WIRE_TARGET_PREFIX) ? operationsByName.get(target.slice(WIRE_TARGET_PREFIX.length)) : undefined;
  } else {
    const match = matchRoute(draft.method, url.pathname);
    if (!match) return { expect: 'refused' };
    operation = match.route.operation;
    try {
      members = { ...queryMembers(match.route, url.searchParams), ...decodedPath(match.parameters) };
    } catch {
      return { operation: operation.name, expect: 'refused' };
    }
  }
  if (!operation) return { expect: 'refused' };
  const body = parsedBody(draft.body);
  if (body === undefined) return { operation: operation.name, expect: 'refused' };
  const input = { ...body, ...members };
  if (!operation.input.safeParse(input).success || draft.refusedByConstruction) return { operation: operation.name, expect: 'refused' };
  if (operation.name === 'AppendSessionAudio' && !chunkIsGood(input)) return { operation: operation.name, expect: 'refused' };
  return { operation: operation.name, expect: isRead(operation) ? 'answered' : 'write' };
}

function matchRoute(method: string, pathname: string) {
  for (const route of restRoutes) {
    const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const values = new RegExp(`^${route.path.replace(/\{\w+\}/g, '([^/]+)')}$`).exec(pathname);
    if (values && route.method === method) return { route, parameters: Object.fromEntries(names.map((name, i) => [name, values[i + 1]])) };
  }
  return undefined;
}

function decodedPath(parameters: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, decodeURIComponent(value)]));
}

function queryMembers(route: (typeof restRoutes)[number], query: URLSearchParams): Record<string, unknown> {
  const members: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(route.query ?? {})) {
    if (!query.has(name)) continue;
    if (kind === 'list') members[name] = query.getAll(name);
    else {
      const value = query.getAll(name).at(-1)!;
      members[name] = kind === 'integer' && /^-?\d+$/.test(value) ? Number(value) : value;
    }
  }
  return members;
}

function parsedBody(body: Buffer): Record<string, unknown> | undefined {
  if (!body.length) return {};
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether AppendSessionAudio would take this chunk of the fixture session (its next chunk is 0). */
function chunkIsGood(input: Record<string, unknown>): boolean {
  if (input.SequenceNumber !== 0) return false;
  const bytes = Buffer.from(String(input.Audio), 'base64');
  if (input.AudioFormat !== 'WAV') return input.ChannelId === undefined && bytes.byteLength % 2 === 0 && bytes.byteLength <= 160_000;
  try {
    return decodeWav(bytes, (input.ChannelId as number | undefined) ?? 0).samples.length <= 80_000;
  } catch {
    return false;
  }
}
