import { PAGE_TOKEN_LIFETIME_MS, PageTokens } from '#store/page-tokens';

const INVALID = 'NextToken is not valid: pass the NextToken of the previous page of this same list, unchanged, or omit it to start over.';
const EXPIRED = 'NextToken has expired (tokens last 24 hours): list again without NextToken.';

/** What `open` throws, for asserting its Voice ID error type and exact message. */
function refusal(open: () => unknown): { name: string; message: string } {
  try {
    open();
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('The token was accepted.');
}

describe('PageTokens', () => {
  const tokens = new PageTokens('secret');
  const now = 1_700_000_000_000;

  it('round-trips a position for the same list', () => {
    const token = tokens.seal('ListDomains/1', { domainId: 'abc' }, now)!;
    expect(tokens.open('ListDomains/1', token, now + 1000)).toEqual({ domainId: 'abc' });
  });

  it('returns no token when there is no next page, and starts over on an empty or absent token', () => {
    expect(tokens.seal('ListDomains/1', undefined, now)).toBeUndefined();
    expect(tokens.open('ListDomains/1', '', now)).toBeUndefined();
    expect(tokens.open('ListDomains/1', undefined, now)).toBeUndefined();
  });

  it('refuses a token of another list, a forged token and a token of another secret with ValidationException', () => {
    const token = tokens.seal('ListSpeakers/d1', { id: 'x' }, now)!;
    const invalid = { name: 'ValidationException', message: INVALID };
    expect(refusal(() => tokens.open('ListSpeakers/d2', token, now))).toEqual(invalid);
    expect(refusal(() => tokens.open('ListSpeakers/d1', token.slice(0, -2) + 'AA', now))).toEqual(invalid);
    expect(refusal(() => new PageTokens('other').open('ListSpeakers/d1', token, now))).toEqual(invalid);
    expect(refusal(() => tokens.open('ListSpeakers/d1', 'not-a-token', now))).toEqual(invalid);
    // Shorter than the IV and tag alone (28 bytes), or exactly that long with no body.
    expect(refusal(() => tokens.open('ListSpeakers/d1', Buffer.alloc(28).toString('base64url'), now))).toEqual(invalid);
    expect(
      refusal(() => tokens.open('ListSpeakers/d1', Buffer.from(token, 'base64url').subarray(0, 28).toString('base64url'), now)),
    ).toEqual(invalid);
  });

  describe('expiry', () => {
    it('is 24 hours, as Voice ID documents', () => {
      expect(PAGE_TOKEN_LIFETIME_MS).toBe(86_400_000);
    });

    it('accepts a token until the last millisecond of its 24 hours', () => {
      const token = tokens.seal('ListWatchlists/d1', { watchlistId: 'w' }, now)!;
      expect(tokens.open('ListWatchlists/d1', token, now)).toEqual({ watchlistId: 'w' });
      expect(tokens.open('ListWatchlists/d1', token, now + PAGE_TOKEN_LIFETIME_MS - 1)).toEqual({ watchlistId: 'w' });
    });

    it('refuses it from the 24th hour on, saying it expired rather than that it is invalid', () => {
      const token = tokens.seal('ListWatchlists/d1', { watchlistId: 'w' }, now)!;
      const expired = { name: 'ValidationException', message: EXPIRED };
      expect(refusal(() => tokens.open('ListWatchlists/d1', token, now + PAGE_TOKEN_LIFETIME_MS))).toEqual(expired);
      expect(refusal(() => tokens.open('ListWatchlists/d1', token, now + 30 * PAGE_TOKEN_LIFETIME_MS))).toEqual(expired);
    });

    it('counts from when the token was issued, not from the first page', () => {
      const later = now + PAGE_TOKEN_LIFETIME_MS / 2;
      const token = tokens.seal('ListWatchlists/d1', { watchlistId: 'w' }, later)!;
      expect(tokens.open('ListWatchlists/d1', token, later + PAGE_TOKEN_LIFETIME_MS - 1)).toEqual({ watchlistId: 'w' });
      expect(refusal(() => tokens.open('ListWatchlists/d1', token, later + PAGE_TOKEN_LIFETIME_MS)).message).toBe(EXPIRED);
    });
  });

  it('seals opaquely: the position is not readable, and sealing twice gives two different tokens', () => {
    const first = tokens.seal('ListDomains/1', { domainId: 'visible-if-not-sealed' }, now)!;
    const second = tokens.seal('ListDomains/1', { domainId: 'visible-if-not-sealed' }, now)!;
    expect(first).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(first, 'base64url').toString('latin1')).not.toContain('visible-if-not-sealed');
    expect(first).not.toBe(second);
    expect(tokens.open('ListDomains/1', second, now)).toEqual({ domainId: 'visible-if-not-sealed' });
  });

  it('still opens a token sealed by an earlier release with the same secret (a deployment does not break paging)', () => {
    // Sealed on 2023-11-14T22:13:20Z for ListDomains of account 000000000000, secret "golden-secret".
    const sealedEarlier =
      'rPCd_bC0_J0M5Amipn0OkCI1RPra2dGezuCjVYprxrC_M0O5SdqNkaeOVrOUjgM9H5Uj-v9gk0sPVbD5Y9ZntHoy2TPBcZOe7r0UYuYAhpPwleJifLcm2RJTuh60tY6ehna746sN2r9uKb-fCoQc44eKV5TajcNTQZIzO6IjconBCJjyadGmLjjF';
    const golden = new PageTokens('golden-secret');
    expect(golden.open('ListDomains/000000000000', sealedEarlier, now + 1)).toEqual({ domainId: 'aBcDeFgHiJkLmNoPqRsTuV' });
    expect(refusal(() => golden.open('ListDomains/000000000000', sealedEarlier, now + PAGE_TOKEN_LIFETIME_MS)).message).toBe(EXPIRED);
  });
});
