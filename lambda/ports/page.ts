/** A store position to resume a list from, sealed into NextToken by the operations. */
export type PagePosition = Record<string, unknown>;

/** One page of a list, as every store's `list` returns it. */
export interface Page<T> {
  items: T[];
  /** Absent on the last page. */
  lastKey?: PagePosition;
}

/** Voice ID's NextToken: a position sealed for one list, so that a token works only where it was issued. */
export interface NextTokens {
  seal(list: string, position: PagePosition | undefined, nowMs: number): string | undefined;
  /** The position sealed in `token`, or undefined for the first page; a forged, foreign or expired token is a ValidationException. */
  open(list: string, token: string | undefined, nowMs: number): PagePosition | undefined;
}
