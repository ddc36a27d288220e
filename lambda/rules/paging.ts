import type { Needs } from '#context';
import type { Page, PagePosition } from '#ports/page';

/**
 * One page of a List operation: opens the caller's NextToken for this list, reads a page from the store and seals
 * the position after it. `list` names the list (operation and scope), so that a token works only where it was issued.
 */
export async function listPage<T, R>(
  ctx: Needs<'now' | 'pageTokens'>,
  list: string,
  request: { MaxResults?: number; NextToken?: string },
  defaultMaxResults: number,
  read: (limit: number, startKey?: PagePosition) => Promise<Page<T>>,
  present: (item: T) => R,
): Promise<{ items: R[]; NextToken?: string }> {
  const now = ctx.now();
  const tokens = await ctx.pageTokens();
  const page = await read(request.MaxResults ?? defaultMaxResults, tokens.open(list, request.NextToken, now));
  return { items: page.items.map(present), NextToken: tokens.seal(list, page.lastKey, now) };
}
