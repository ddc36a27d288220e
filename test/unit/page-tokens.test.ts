import { PageTokens, PAGE_TOKEN_LIFETIME_MS } from '#store/page-tokens';

describe('PageTokens', () => {
  const tokens = new PageTokens('secret');
  const now = 1_700_000_000_000;

  it('round-trips a position for the same list', () => {
    const token = tokens.seal('ListDomains/1', { domainId: 'abc' }, now)!;
    expect(tokens.open('ListDomains/1', token, now + 1000)).toEqual({ domainId: 'abc' });
  });

  it('returns no token when there is no next page, and starts over on an empty token', () => {
    expect(tokens.seal('ListDomains/1', undefined, now)).toBeUndefined();
    expect(tokens.open('ListDomains/1', '', now)).toBeUndefined();
  });

  it('refuses a token of another list, a forged token and an expired token', () => {
    const token = tokens.seal('ListSpeakers/d1', { id: 'x' }, now)!;
    expect(() => tokens.open('ListSpeakers/d2', token, now)).toThrow(/NextToken is not valid/);
    expect(() => tokens.open('ListSpeakers/d1', token.slice(0, -2) + 'AA', now)).toThrow(/NextToken is not valid/);
    expect(() => new PageTokens('other').open('ListSpeakers/d1', token, now)).toThrow(/NextToken is not valid/);
    expect(() => tokens.open('ListSpeakers/d1', token, now + PAGE_TOKEN_LIFETIME_MS)).toThrow(/expired/);
  });
});
