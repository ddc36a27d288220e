/** A store position to resume a list from, sealed into NextToken by the operations. */
export type PagePosition = Record<string, unknown>;

/** One page of a list, as every store's `list` returns it. */
export interface Page<T> {
  items: T[];
  /** Absent on the last page. */
  lastKey?: PagePosition;
}
