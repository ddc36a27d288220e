import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { modelScoring } from '#biometrics/calibration';
import type { ModelScoring } from '#biometrics/scoring';
import { speechEngine, type SpeechEngine } from '#biometrics/speech-engine';
import type { ServiceConfig } from '#config';
import { lazy } from '#lazy';
import { PageTokens } from '#store/page-tokens';
import { openStores, type Stores } from '#store/stores';

/** What every operation may use. Built once per process (cold start) and shared by all requests. */
export interface OperationContext extends Stores {
  region: string;
  accountId: string;
  quotas: ServiceConfig['quotas'];
  /** Voice ID's three years, or a deployment's shorter period. */
  speakerExpiryMs: number;
  /** NextTokens' sealer, made on first use: only the List operations need its secret (the worker and sweeper never do). */
  pageTokens: () => Promise<PageTokens>;
  /** Speech detection and embedding of live audio: in the request's thread in Lambda, on worker threads locally. */
  speech: SpeechEngine;
  /** Each speaker model's score calibration and shipped cohort: the shipped ones, or an operator's (SCORE_CALIBRATION_FILE). */
  scoring: ModelScoring;
  now: () => number;
}

export function createContext(config: ServiceConfig): Promise<OperationContext> {
  return Promise.resolve({
    ...openStores(config),
    region: config.region,
    accountId: config.accountId,
    quotas: config.quotas,
    speakerExpiryMs: config.speakerExpiryMs,
    pageTokens: lazy(async () => {
      const secret = 'value' in config.tokenSecret ? config.tokenSecret.value : await getSecret<string>(config.tokenSecret.secretArn, { maxAge: 3600 });
      if (!secret) throw new Error('The pagination token secret is empty.');
      return new PageTokens(secret);
    }),
    speech: speechEngine({ workers: config.speechWorkers, model: config.speakerModel }),
    scoring: modelScoring(config.scoreCalibrationFile),
    now: Date.now,
  });
}
