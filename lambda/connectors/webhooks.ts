import { createHmac } from 'node:crypto';
import { logger } from '#observability';

/** Where a route's calls' decisions are posted, and the secret that signs them. */
export interface Webhook {
  url: string;
  secret: string;
}

/**
 * The signature of a webhook's body, in its `X-Voice-Id-Signature` header as `t=<epoch seconds>,v1=<hex>`: HMAC-SHA256
 * of `<t>.<body>` keyed with the secret. The customer's backend computes it again and compares (and refuses an old
 * `t`), so it can trust the decision came from its gateway and was not replayed.
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** How often a delivery is tried before it is given up with a log line. */
const ATTEMPTS = 3;
const TIMEOUT_MS = 5000;

/**
 * Tells a customer's backend when a call's decisions change: each evaluation is observed, and one whose
 * authentication or fraud decision differs from the last posted is POSTed, signed, in order, one at a time, never
 * holding up the call's audio. `CALL_ENDED` is posted with the call's last evaluation whatever it says.
 */
export class DecisionWebhook {
  private posted?: string;
  private delivering: Promise<void> = Promise.resolve();

  constructor(
    private readonly webhook: Webhook,
    private readonly call: { callId: string; domainId: string; sessionId: string },
  ) {}

  observe(evaluation: Record<string, unknown>, event: 'DECISION_CHANGED' | 'CALL_ENDED' = 'DECISION_CHANGED'): void {
    const decisions = JSON.stringify([
      (evaluation.AuthenticationResult as { Decision?: string } | undefined)?.Decision,
      (evaluation.FraudDetectionResult as { Decision?: string } | undefined)?.Decision,
    ]);
    if (event === 'DECISION_CHANGED' && decisions === this.posted) return;
    this.posted = decisions;
    const body = JSON.stringify({ Event: event, CallId: this.call.callId, DomainId: this.call.domainId, ...evaluation });
    this.delivering = this.delivering.then(() => this.deliver(body));
  }

  /** Resolves once every observed change has been delivered (or given up). */
  drain(): Promise<void> {
    return this.delivering;
  }

  private async deliver(body: string): Promise<void> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        const signature = webhookSignature(this.webhook.secret, Math.floor(Date.now() / 1000), body);
        const response = await fetch(this.webhook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-voice-id-signature': signature },
          body,
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        if (response.ok) return;
        if (response.status < 500 && response.status !== 429) break;
      } catch {
        // No answer: tried again below.
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
    logger.warn('A decision could not be posted to the webhook', { url: this.webhook.url, sessionId: this.call.sessionId });
  }
}
