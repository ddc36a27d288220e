// First: the X-Ray SDK reads its mode when it loads.
import './xray-mode.ts';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { LogItemExtraInput, LogItemMessage } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';

/**
 * Logger, metrics and tracer for the whole service, set up once. Every handler is `instrumented` (below), which
 * adds the invocation's context to the logger and flushes the metrics; SDK clients are wrapped by the tracer where
 * they are made. Outside Lambda the tracer turns
 * itself off; metrics are turned off here likewise, because only Lambda's log feeds them to CloudWatch and
 * elsewhere they would bury the log (an explicit POWERTOOLS_METRICS_DISABLED still wins).
 */
const serviceName = 'voice-id';
if (!process.env.AWS_LAMBDA_FUNCTION_NAME) process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

/**
 * The correlation id of the work in hand: an API request's, handed on to the state machine runs it starts and to
 * every worker task of those runs. Held per asynchronous context rather than in the logger's keys, because the
 * embedded stack serves concurrent requests and tasks in one process.
 */
const correlation = new AsyncLocalStorage<string>();

/** Runs `work` under `id`: its log lines carry `correlation_id`, and the runs it starts are given the id. */
export function withCorrelationId<T>(id: string, work: () => T): T {
  return correlation.run(id, work);
}

export function currentCorrelationId(): string | undefined {
  return correlation.getStore();
}

class CorrelatedLogger extends Logger {
  protected override createAndPopulateLogItem(logLevel: number, input: LogItemMessage, extraInput: LogItemExtraInput): LogItem {
    const item = super.createAndPopulateLogItem(logLevel, input, extraInput);
    const id = correlation.getStore();
    return id ? item.addAttributes({ correlation_id: id }) : item;
  }
}

export const logger: Logger = new CorrelatedLogger({ serviceName });
export const metrics = new Metrics({ serviceName, namespace: 'OpenVoiceID' });
export const tracer = new Tracer({ serviceName });

/**
 * A Lambda handler with the instrumentation every function of the service has alike: the invocation's Lambda
 * context on every log line, the ColdStart metric once per sandbox, and the handler's metrics flushed after each
 * invocation, however it ends. Outside Lambda (the embedded stack, tests) there is no context to add.
 */
export function instrumented<E, R>(handler: (event: E) => Promise<R>): (event: E, context?: Context) => Promise<R> {
  return async (event, context) => {
    if (context) logger.addContext(context);
    metrics.captureColdStartMetric();
    try {
      return await handler(event);
    } finally {
      // The worker's and sweeper's invocations may add none; Powertools warns on an empty flush.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
