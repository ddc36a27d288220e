/**
 * The REST routes: one table, read by the CDK API construct (which creates the API Gateway resources), by the API
 * handler (which dispatches on the matched route) and by the OpenAPI generator. Members keep their Voice ID names
 * in paths, query strings and bodies, so REST and the wire protocol share every request and response shape.
 */
export interface RestRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** An API Gateway resource path; `{Member}` segments fill request members. */
  path: string;
  operation: string;
  summary: string;
  /** Query string members and how to read them; a list member may repeat (`?TagKeys=a&TagKeys=b`). */
  query?: Record<string, 'string' | 'integer' | 'list'>;
}

const page = { MaxResults: 'integer', NextToken: 'string' } as const;

export const restRoutes: RestRoute[] = [
  { method: 'POST', path: '/domains', operation: 'CreateDomain', summary: 'Create a domain and its default watchlist' },
  { method: 'GET', path: '/domains', operation: 'ListDomains', summary: 'List domains', query: page },
  { method: 'GET', path: '/domains/{DomainId}', operation: 'DescribeDomain', summary: 'Describe a domain' },
  { method: 'PUT', path: '/domains/{DomainId}', operation: 'UpdateDomain', summary: 'Replace every attribute of a domain' },
  { method: 'DELETE', path: '/domains/{DomainId}', operation: 'DeleteDomain', summary: 'Delete a domain' },

  { method: 'POST', path: '/domains/{DomainId}/watchlists', operation: 'CreateWatchlist', summary: 'Create a watchlist' },
  { method: 'GET', path: '/domains/{DomainId}/watchlists', operation: 'ListWatchlists', summary: 'List watchlists', query: page },
  { method: 'GET', path: '/domains/{DomainId}/watchlists/{WatchlistId}', operation: 'DescribeWatchlist', summary: 'Describe a watchlist' },
  { method: 'PATCH', path: '/domains/{DomainId}/watchlists/{WatchlistId}', operation: 'UpdateWatchlist', summary: 'Change the name or description of a watchlist' },
  { method: 'DELETE', path: '/domains/{DomainId}/watchlists/{WatchlistId}', operation: 'DeleteWatchlist', summary: 'Delete an empty watchlist' },
  { method: 'PUT', path: '/domains/{DomainId}/watchlists/{WatchlistId}/fraudsters/{FraudsterId}', operation: 'AssociateFraudster', summary: 'Put a fraudster on a watchlist' },
  { method: 'DELETE', path: '/domains/{DomainId}/watchlists/{WatchlistId}/fraudsters/{FraudsterId}', operation: 'DisassociateFraudster', summary: 'Take a fraudster off a watchlist' },

  { method: 'GET', path: '/domains/{DomainId}/fraudsters', operation: 'ListFraudsters', summary: 'List fraudsters, optionally of one watchlist', query: { ...page, WatchlistId: 'string' } },
  { method: 'GET', path: '/domains/{DomainId}/fraudsters/{FraudsterId}', operation: 'DescribeFraudster', summary: 'Describe a fraudster' },
  { method: 'DELETE', path: '/domains/{DomainId}/fraudsters/{FraudsterId}', operation: 'DeleteFraudster', summary: 'Delete a fraudster from every watchlist' },

  { method: 'GET', path: '/domains/{DomainId}/speakers', operation: 'ListSpeakers', summary: 'List speakers', query: page },
  { method: 'GET', path: '/domains/{DomainId}/speakers/{SpeakerId}', operation: 'DescribeSpeaker', summary: 'Describe a speaker (GeneratedSpeakerId or CustomerSpeakerId)' },
  { method: 'DELETE', path: '/domains/{DomainId}/speakers/{SpeakerId}', operation: 'DeleteSpeaker', summary: 'Delete a speaker and its voiceprint' },
  { method: 'POST', path: '/domains/{DomainId}/speakers/{SpeakerId}/opt-out', operation: 'OptOutSpeaker', summary: 'Opt a speaker out of voice authentication' },

  { method: 'GET', path: '/tags', operation: 'ListTagsForResource', summary: "List a domain's tags", query: { ResourceArn: 'string' } },
  { method: 'POST', path: '/tags', operation: 'TagResource', summary: 'Tag a domain' },
  { method: 'DELETE', path: '/tags', operation: 'UntagResource', summary: 'Remove tags from a domain', query: { ResourceArn: 'string', TagKeys: 'list' } },
];

/** The Voice ID wire protocol: every operation is `POST /` with `X-Amz-Target: VoiceID.<Operation>`. */
export const WIRE_PROTOCOL_PATH = '/';
export const WIRE_TARGET_PREFIX = 'VoiceID.';
