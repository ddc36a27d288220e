// First: the X-Ray SDK reads its mode when it loads.
import './xray-mode.ts';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Logger, metrics and tracer for the whole service, set up once. Handlers add the request's context to the logger
 * and flush the metrics; SDK clients are wrapped by the tracer where they are made. Outside Lambda the tracer turns
 * itself off; metrics are turned off here likewise, because only Lambda's log feeds them to CloudWatch and
 * elsewhere they would bury the log (an explicit POWERTOOLS_METRICS_DISABLED still wins).
 */
const serviceName = 'voice-id';
if (!process.env.AWS_LAMBDA_FUNCTION_NAME) process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ serviceName, namespace: 'OpenVoiceID' });
export const tracer = new Tracer({ serviceName });
