import { createHash } from 'node:crypto';
import { ValidationException } from '#api-model/errors';
import type { Needs } from '#context';
import { ClientTokenTaken } from '#ports/client-tokens';
import type { StagedWrite } from '#ports/staged-write';

interface TokenScope {
  operation: string;
  /** What the token is unique within: the account for CreateDomain, a domain for the others. */
  owner: string;
  clientToken?: string;
  /** The validated request; a retry must repeat it exactly. */
  request: unknown;
}

/**
 * Runs a creating operation at most once per ClientToken. `perform` gets the transaction item that claims the
 * token and must write it together with its change; a retry (even one racing the first call) gets the first
 * call's response back.
 */
export async function oncePerClientToken<T>(
  ctx: Needs<'idempotency' | 'now'>,
  scope: TokenScope,
  perform: (claim: (response: T) => StagedWrite | undefined) => Promise<T>,
): Promise<T> {
  if (!scope.clientToken) return perform(() => undefined);
  const key = `${scope.operation}/${scope.owner}/${scope.clientToken}`;
  const requestHash = createHash('sha256').update(canonicalJson(scope.request)).digest('hex');
  const replay = async (): Promise<T | undefined> => {
    const record = await ctx.idempotency.find(key, ctx.now());
    if (!record) return undefined;
    if (record.requestHash !== requestHash) {
      throw new ValidationException(
        `The ClientToken ${scope.clientToken} was already used for a different ${scope.operation} request. Use a new ClientToken for a new request.`,
      );
    }
    return record.response as T;
  };

  const earlier = await replay();
  if (earlier !== undefined) return earlier;
  try {
    return await perform((response) => ctx.idempotency.claim({ key, requestHash, response }, ctx.now()));
  } catch (error) {
    if (!(error instanceof ClientTokenTaken)) throw error;
    const raced = await replay();
    if (raced === undefined) throw error;
    return raced;
  }
}

/** JSON with sorted keys, so that two equal requests hash the same whatever their member order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([name, member]) => member !== undefined && name !== 'ClientToken')
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([name, member]) => `${JSON.stringify(name)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
