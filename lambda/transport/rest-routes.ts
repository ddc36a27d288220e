import { operations } from '#operations/index';
import type { Operation, RestRoute } from '#operations/operation';

/**
 * The REST routes, derived from the operations' own declarations: read by the CDK API construct (which creates
 * the API Gateway resources), by the API handler (which dispatches on the matched route) and by the OpenAPI
 * generator.
 */
export const restRoutes: readonly (RestRoute & { operation: Operation })[] = operations.flatMap((operation) =>
  operation.route ? [{ ...operation.route, operation }] : [],
);

/** The Voice ID wire protocol: every operation is `POST /` with `X-Amz-Target: VoiceID.<Operation>`. */
export const WIRE_PROTOCOL_PATH = '/';
export const WIRE_TARGET_PREFIX = 'VoiceID.';
