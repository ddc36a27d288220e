/**
 * The REST routes: one table, read by the CDK API construct (which creates the API Gateway resources) and by the
 * API handler (which dispatches on the matched route). Members keep their Voice ID names in paths, query strings
 * and bodies, so REST and the wire protocol share every request and response shape.
 */
export interface RestRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** An API Gateway resource path; `{Member}` segments fill request members. */
  path: string;
  operation: string;
  /** Query string members and how to read them. */
  query?: Record<string, 'string' | 'integer'>;
}

const page = { MaxResults: 'integer', NextToken: 'string' } as const;

export const restRoutes: RestRoute[] = [
  { method: 'POST', path: '/domains', operation: 'CreateDomain' },
  { method: 'GET', path: '/domains', operation: 'ListDomains', query: page },
  { method: 'GET', path: '/domains/{DomainId}', operation: 'DescribeDomain' },
  { method: 'PUT', path: '/domains/{DomainId}', operation: 'UpdateDomain' },
  { method: 'DELETE', path: '/domains/{DomainId}', operation: 'DeleteDomain' },
];

/** The Voice ID wire protocol: every operation is `POST /` with `X-Amz-Target: VoiceID.<Operation>`. */
export const WIRE_PROTOCOL_PATH = '/';
export const WIRE_TARGET_PREFIX = 'VoiceID.';
