import { createHmac } from 'node:crypto';

/*
 * HTTP Message Signatures (RFC 9421) with HMAC-SHA256, the subset a phone system's signed connection request needs:
 * the `Signature-Input` and `Signature` fields (Structured Field dictionaries, RFC 8941) parsed, the signature base
 * rebuilt from the covered components, and the HMAC computed over it. Which components must be covered, and which
 * parameters are required, is each connector's policy.
 */

/** A bare item of a Structured Field (RFC 8941 section 3.3), less decimals, which no signature parameter uses. */
type BareItem = string | number | boolean | Buffer | { token: string };
type Parameters = [string, BareItem][];
interface Item {
  value: BareItem;
  parameters: Parameters;
}
interface InnerList {
  items: Item[];
  parameters: Parameters;
}

/** One signature of a request: its label, the components it covers, its parameters and its bytes. */
export interface RequestSignature {
  label: string;
  components: string[];
  parameters: Record<string, BareItem>;
  /** The signature's `@signature-params` line, serialized again from what was parsed (RFC 9421 section 2.3). */
  signatureParams: string;
  signature: Buffer;
}

/**
 * The first signature of a request's `Signature-Input` and `Signature` fields, or a string saying why there is
 * none: unsigned, malformed, or a covered component with parameters (`;sf`, `;key`), which this subset does not take.
 */
export function readSignature(signatureInput: string | undefined, signature: string | undefined): RequestSignature | string {
  if (!signatureInput || !signature) return 'The request has no Signature-Input and Signature header fields.';
  let inputs: Map<string, Item | InnerList>;
  let signatures: Map<string, Item | InnerList>;
  try {
    inputs = new FieldParser(signatureInput).dictionary();
    signatures = new FieldParser(signature).dictionary();
  } catch (error) {
    return `The signature header fields are not Structured Field dictionaries: ${(error as Error).message}`;
  }
  const [label, input] = [...inputs][0] ?? [];
  const value = label === undefined ? undefined : signatures.get(label);
  if (!input || !('items' in input)) return 'The Signature-Input field holds no list of covered components.';
  if (!value || !('value' in value) || !Buffer.isBuffer(value.value)) return `The Signature field has no byte sequence labelled ${label}.`;
  if (input.items.some((item) => typeof item.value !== 'string' || item.parameters.length > 0)) {
    return 'The covered components must be plain strings, without component parameters.';
  }
  return {
    label,
    components: input.items.map((item) => item.value as string),
    parameters: Object.fromEntries(input.parameters),
    signatureParams: serializeInnerList(input),
    signature: value.value,
  };
}

/** RFC 9421's signature base: one `"name": value` line per covered component, then the `@signature-params` line. */
export function signatureBase(components: [name: string, value: string][], signatureParams: string): string {
  return [...components.map(([name, value]) => `"${name}": ${value}`), `"@signature-params": ${signatureParams}`].join('\n');
}

/** HMAC-SHA256 of a signature base, keyed with the shared secret's bytes. */
export function hmacSha256(key: Buffer, base: string): Buffer {
  return createHmac('sha256', key).update(base).digest();
}

/** The `@signature-params` value of `components` with `parameters`, in the order given (what a signer sends). */
export function signatureParamsOf(components: string[], parameters: Record<string, string | number>): string {
  return serializeInnerList({
    items: components.map((name) => ({ value: name, parameters: [] })),
    parameters: Object.entries(parameters),
  });
}

function serializeInnerList(list: InnerList): string {
  return `(${list.items.map((item) => serializeBareItem(item.value) + serializeParameters(item.parameters)).join(' ')})${serializeParameters(list.parameters)}`;
}

function serializeParameters(parameters: Parameters): string {
  return parameters.map(([key, value]) => (value === true ? `;${key}` : `;${key}=${serializeBareItem(value)}`)).join('');
}

function serializeBareItem(value: BareItem): string {
  if (typeof value === 'string') return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? '?1' : '?0';
  if (Buffer.isBuffer(value)) return `:${value.toString('base64')}:`;
  return value.token;
}

/** A parser of the Structured Field dictionaries of RFC 8941 section 4.2, without decimals. */
class FieldParser {
  private at = 0;

  constructor(private readonly text: string) {}

  dictionary(): Map<string, Item | InnerList> {
    const members = new Map<string, Item | InnerList>();
    this.skip(' \t');
    while (this.at < this.text.length) {
      const key = this.key();
      if (this.text[this.at] === '=') {
        this.at++;
        members.set(key, this.text[this.at] === '(' ? this.innerList() : this.item());
      } else {
        members.set(key, { value: true, parameters: this.parameters() });
      }
      this.skip(' \t');
      if (this.at === this.text.length) break;
      this.expect(',');
      this.skip(' \t');
      if (this.at === this.text.length) throw new SyntaxError('a trailing comma');
    }
    return members;
  }

  private innerList(): InnerList {
    this.expect('(');
    const items: Item[] = [];
    for (;;) {
      this.skip(' ');
      if (this.text[this.at] === ')') break;
      items.push(this.item());
      if (this.text[this.at] !== ' ' && this.text[this.at] !== ')') throw new SyntaxError(`an unexpected character at ${this.at}`);
    }
    this.at++;
    return { items, parameters: this.parameters() };
  }

  private item(): Item {
    return { value: this.bareItem(), parameters: this.parameters() };
  }

  private parameters(): Parameters {
    const parameters: Parameters = [];
    while (this.text[this.at] === ';') {
      this.at++;
      this.skip(' ');
      const key = this.key();
      let value: BareItem = true;
      if (this.text[this.at] === '=') {
        this.at++;
        value = this.bareItem();
      }
      parameters.push([key, value]);
    }
    return parameters;
  }

  private key(): string {
    const match = /^[a-z*][a-z0-9_\-.*]*/.exec(this.text.slice(this.at));
    if (!match) throw new SyntaxError(`no key at ${this.at}`);
    this.at += match[0].length;
    return match[0];
  }

  private bareItem(): BareItem {
    const rest = this.text.slice(this.at);
    let match: RegExpExecArray | null;
    if (rest[0] === '"') return this.string();
    if ((match = /^:([A-Za-z0-9+/=]*):/.exec(rest))) {
      this.at += match[0].length;
      return Buffer.from(match[1], 'base64');
    }
    if ((match = /^\?([01])/.exec(rest))) {
      this.at += 2;
      return match[1] === '1';
    }
    if ((match = /^-?[0-9]{1,15}(?![0-9.])/.exec(rest))) {
      this.at += match[0].length;
      return Number(match[0]);
    }
    if ((match = /^[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*/.exec(rest))) {
      this.at += match[0].length;
      return { token: match[0] };
    }
    throw new SyntaxError(`no item at ${this.at}`);
  }

  private string(): string {
    let value = '';
    for (this.at++; this.at < this.text.length; this.at++) {
      const c = this.text[this.at];
      if (c === '"') {
        this.at++;
        return value;
      }
      if (c === '\\') {
        const next = this.text[++this.at];
        if (next !== '"' && next !== '\\') throw new SyntaxError(`a bad escape at ${this.at}`);
        value += next;
      } else if (c < ' ' || c > '~') {
        throw new SyntaxError(`a character a string may not hold at ${this.at}`);
      } else {
        value += c;
      }
    }
    throw new SyntaxError('an unterminated string');
  }

  private skip(characters: string): void {
    while (this.at < this.text.length && characters.includes(this.text[this.at])) this.at++;
  }

  private expect(character: string): void {
    if (this.text[this.at] !== character) throw new SyntaxError(`"${character}" expected at ${this.at}`);
    this.at++;
  }
}
