import { logger } from '#observability';
import { DecisionWebhook, type Webhook } from './webhooks.ts';

/**
 * The service as a connector reaches it: one Voice ID operation by name over the public API (the wire protocol,
 * signed like any SDK's request), so a connector knows its phone system's protocol and nothing of the tables. It
 * rejects with an error that carries the answer's HTTP `status` and Voice ID error `type`, when there was an answer.
 */
export interface SessionApi {
  call<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T>;
}

/** How a call's session is opened: Voice ID's StartSession settings, from the connector's route. */
export interface CallSettings {
  domainId: string;
  /** The call's id in the phone system (CallSid, conversationId, ContactId, a SIP Call-ID): the SessionName. */
  callId: string;
  /** The caller's CustomerSpeakerId (or GeneratedSpeakerId), when the phone system knows it. */
  speakerId?: string;
  authentication?: { Enabled?: boolean; AcceptanceThreshold?: number; RequiredSpeechSeconds?: number };
  fraudDetection?: { Enabled?: boolean; RiskThreshold?: number; WatchlistId?: string };
  /** Enroll the caller as the session's speaker when the call ends (for a caller who consented). */
  enrollAtEnd?: boolean;
  /** Post the call's decision changes to the customer's backend. */
  webhook?: Webhook;
}

/** Audio is sent in chunks of a second: a stream of 20 ms frames is not 50 requests a second per call. */
export const CHUNK_SAMPLES = 8000;
/** Chunks waiting for the service beyond this (a minute of audio) are dropped, oldest first, so memory stays bounded. */
const MAX_QUEUED_CHUNKS = 60;
/** With a webhook, the call is evaluated after every this many chunks once it holds speech. */
const EVALUATE_EVERY_CHUNKS = 2;
/** A chunk the service could not take (no answer, throttled, a 5xx) is sent again, with the same SequenceNumber. */
const MAX_ATTEMPTS = 4;

/**
 * One call's caller audio on its way into a session: 8 kHz 16-bit samples are fed as the phone system sends them,
 * gathered into one-second chunks and appended in order, one request at a time. A chunk that failed for a reason
 * that may pass is retried under its sequence number (the service counts a retried chunk once); a refusal (the
 * session ended, say) stops the stream, and the call's remaining audio is dropped with one log line.
 */
export class CallStream {
  private buffered: Int16Array[] = [];
  private bufferedSamples = 0;
  private queue: Int16Array[] = [];
  private sending?: Promise<void>;
  private stopped?: Error;
  private ended = false;
  /** What the session said of the latest chunk it took. */
  last?: { SpeechSeconds: number; AudioSeconds: number; NextSequenceNumber: number };
  private readonly webhook?: DecisionWebhook;
  private sent = 0;

  private constructor(
    private readonly api: SessionApi,
    readonly settings: CallSettings,
    readonly sessionId: string,
    private nextSequenceNumber: number,
  ) {
    const call = { callId: settings.callId, domainId: settings.domainId, sessionId };
    this.webhook = settings.webhook && new DecisionWebhook(settings.webhook, call);
  }

  /**
   * Starts the call's session, named by the call's id. A call whose session exists and is still live (the phone
   * system reconnected the same call: an AudioHook resume, a restarted Twilio stream) goes on in that session, from
   * its next sequence number.
   */
  static async open(api: SessionApi, settings: CallSettings): Promise<CallStream> {
    const input = {
      DomainId: settings.domainId,
      SessionName: settings.callId,
      ...(settings.speakerId && { SpeakerId: settings.speakerId }),
      ...(settings.authentication && { AuthenticationConfiguration: settings.authentication }),
      ...(settings.fraudDetection && { FraudDetectionConfiguration: settings.fraudDetection }),
    };
    try {
      const { Session } = await api.call<{ Session: { SessionId: string } }>('StartSession', input);
      return new CallStream(api, settings, Session.SessionId, 0);
    } catch (error) {
      if (!isNameTaken(error)) throw error;
      const { Session } = await api.call<{ Session: { SessionId: string; StreamingStatus: string; NextSequenceNumber: number } }>(
        'DescribeSession',
        { DomainId: settings.domainId, SessionNameOrId: settings.callId },
      );
      if (Session.StreamingStatus === 'ENDED') throw error;
      logger.info('A call reconnected: its session goes on', { sessionId: Session.SessionId, from: Session.NextSequenceNumber });
      return new CallStream(api, settings, Session.SessionId, Session.NextSequenceNumber);
    }
  }

  /** Takes the next frame of the caller's audio (8 kHz, 16-bit). */
  feed(samples: Int16Array): void {
    if (this.ended || this.stopped || samples.length === 0) return;
    this.buffered.push(samples);
    this.bufferedSamples += samples.length;
    while (this.bufferedSamples >= CHUNK_SAMPLES) this.enqueue(this.take(CHUNK_SAMPLES));
  }

  /**
   * The call is over: what is buffered is sent, then the session ends, and with `enrollAtEnd` (and not `dropped`)
   * the caller is enrolled. Answers the call's last evaluation. A dropped connection ends the session as a dropped
   * call: its audio so far counts, and nobody is enrolled from a call that did not finish.
   */
  async end({ dropped = false } = {}): Promise<Record<string, unknown> | undefined> {
    if (this.ended) return undefined;
    this.ended = true;
    await this.flush();
    const target = { DomainId: this.settings.domainId, SessionNameOrId: this.sessionId };
    await this.api.call('EndSession', target);
    if (this.settings.enrollAtEnd && !dropped && !this.stopped) {
      await this.api.call('EnrollSessionSpeaker', target).catch((error: unknown) => {
        logger.warn('The caller could not be enrolled at the end of the call', { sessionId: this.sessionId, error: error as Error });
      });
    }
    const evaluation = await this.api.call('EvaluateSession', target);
    this.webhook?.observe(evaluation, 'CALL_ENDED');
    await this.webhook?.drain();
    return evaluation;
  }

  /**
   * Sends what is buffered, however short, and resolves when it is sent: a call that goes on over another
   * connection (an AudioHook reconnect) loses none of its audio, and that connection appends after it.
   */
  async flush(): Promise<void> {
    if (this.bufferedSamples > 0) this.enqueue(this.take(this.bufferedSamples));
    await this.drain();
  }

  /** Resolves when every chunk fed so far has been sent (or dropped). */
  async drain(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private take(count: number): Int16Array {
    const chunk = new Int16Array(count);
    let filled = 0;
    while (filled < count) {
      const head = this.buffered[0];
      const used = Math.min(head.length, count - filled);
      chunk.set(head.subarray(0, used), filled);
      filled += used;
      if (used === head.length) this.buffered.shift();
      else this.buffered[0] = head.subarray(used);
    }
    this.bufferedSamples -= count;
    return chunk;
  }

  private enqueue(chunk: Int16Array): void {
    this.queue.push(chunk);
    if (this.queue.length > MAX_QUEUED_CHUNKS) {
      this.queue.shift();
      logger.warn('The service is slower than the call: a second of audio was dropped', { sessionId: this.sessionId });
    }
    this.sending ??= this.sendQueued().finally(() => (this.sending = undefined));
  }

  private async sendQueued(): Promise<void> {
    for (let chunk = this.queue.shift(); chunk && !this.stopped; chunk = this.queue.shift()) {
      try {
        await this.append(chunk);
        if (this.webhook && ++this.sent % EVALUATE_EVERY_CHUNKS === 0 && this.last?.SpeechSeconds) await this.evaluateForWebhook();
      } catch (error) {
        this.stopped = error as Error;
        this.queue = [];
        logger.warn('The session refused the call’s audio; the rest of the call is not sent', {
          sessionId: this.sessionId,
          error: error as Error,
        });
      }
    }
  }

  /** The call's decisions so far, for the webhook; a failed evaluation waits for the next chunks. */
  private async evaluateForWebhook(): Promise<void> {
    const target = { DomainId: this.settings.domainId, SessionNameOrId: this.sessionId };
    const evaluation = await this.api.call('EvaluateSession', target).catch(() => undefined);
    if (evaluation) this.webhook?.observe(evaluation);
  }

  private async append(chunk: Int16Array): Promise<void> {
    const Audio = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('base64');
    const input = { DomainId: this.settings.domainId, SessionNameOrId: this.sessionId, SequenceNumber: this.nextSequenceNumber, Audio };
    for (let attempt = 1; ; attempt++) {
      try {
        this.last = await this.api.call('AppendSessionAudio', input);
        this.nextSequenceNumber++;
        return;
      } catch (error) {
        if (attempt === MAX_ATTEMPTS || !mayPass(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }
}

/**
 * Ends a connector's call once its session has opened, if it did: the phone system hung up or the connection is
 * gone, so nobody is left to answer, and a failure is logged instead of thrown.
 */
export function endWhenOpen(call: Promise<CallStream | undefined> | undefined, dropped: boolean, connector: string): void {
  void call
    ?.then((stream) => stream?.end({ dropped }))
    .catch((error: unknown) => logger.warn(`A ${connector} call could not be ended`, { error: error as Error }));
}

/** An error a retry may not meet: no answer at all, throttling, a conflict of concurrent changes, or a 5xx. */
function mayPass(error: unknown): boolean {
  const { status, type } = error as { status?: number; type?: string };
  if (status === undefined) return true;
  return status >= 500 || status === 429 || type === 'ThrottlingException' || (status === 409 && /CONCURRENT_CHANGES/.test(String(error)));
}

function isNameTaken(error: unknown): boolean {
  const { type, message } = error as { type?: string; message?: string };
  return type === 'ValidationException' && /SessionName .* is used by another session/.test(message ?? '');
}
