import { Logger } from '@aws-lambda-powertools/logger';

/** One logger for the whole service; handlers add the request's context to it. */
export const logger = new Logger({ serviceName: 'voice-id' });
