import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { modelScoring } from '#biometrics/calibration';
import { speechEngine } from '#biometrics/speech-engine';
import { PageTokens } from '#store/page-tokens';
import { openStores } from '#store/stores';
import { loadConfig, type ServiceConfig } from './config.ts';
import type { ServiceContext } from './context.ts';
import { lazy } from './lazy.ts';

/**
 * The one place that chooses what stands behind the context's ports: the DynamoDB, S3, KMS, Step Functions and
 * EventBridge adapters of lambda/store, on the endpoints the configuration names. Built once per process (cold
 * start) by each handler.
 */
export function createContext(config: ServiceConfig): Promise<ServiceContext> {
  const now = Date.now;
  return Promise.resolve({
    ...openStores(config, now),
    region: config.region,
    accountId: config.accountId,
    quotas: config.quotas,
    speakerExpiryMs: config.speakerExpiryMs,
    dataAccessRolePrefix: config.dataAccessRolePrefix,
    domainKmsKeys: config.domainKmsKeys,
    pageTokens: lazy(async () => {
      const secret =
        'value' in config.tokenSecret ? config.tokenSecret.value : await getSecret<string>(config.tokenSecret.secretArn, { maxAge: 3600 });
      if (!secret) throw new Error('The pagination token secret is empty.');
      return new PageTokens(secret);
    }),
    speech: speechEngine({ workers: config.speechWorkers, model: config.speakerModel }),
    scoring: modelScoring(config.scoreCalibrationFile),
    now,
  });
}

/**
 * A handler's context, made from the configuration on its first invocation and shared by the later ones. Each
 * handler makes its own, as each Lambda function has its own sandboxes (the embedded stack loads them in one process).
 */
export const contextOnFirstUse = () => lazy(() => createContext(loadConfig()));
