import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from './node-sha256.ts';

export interface ServiceAddress {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** The Voice ID error a call answered with: the wire shape's type, message and extra members. */
export class VoiceIdCallError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
    readonly details: Record<string, unknown>,
  ) {
    super(`${type}: ${message}`);
    this.name = type;
  }
}

/**
 * A client of the service's session operations over the Voice ID wire protocol (AWS JSON 1.0, SigV4 for
 * `voiceid`), the same protocol the official SDKs speak: the SDKs know EvaluateSession but not the session and
 * audio operations Voice ID kept inside Amazon Connect, so contact centres and this project's tools call them so.
 */
export class SessionClient {
  private readonly signer: SignatureV4;

  constructor(private readonly address: ServiceAddress) {
    this.signer = new SignatureV4({ credentials: address.credentials, region: address.region, service: 'voiceid', sha256: NodeSha256 });
  }

  async call<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T> {
    const { status, text } = await this.send(operation, JSON.stringify(input));
    const parsed = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    if (status < 200 || status > 299) {
      const { __type, message, Message, ...details } = parsed as { __type?: string; message?: string; Message?: string };
      throw new VoiceIdCallError(__type ?? String(status), message ?? Message ?? text, status, details);
    }
    return parsed as T;
  }

  /** Sends one operation's request body, signed, to the endpoint; answers the response's status and body. */
  protected async send(operation: string, body: string): Promise<{ status: number; text: string }> {
    const url = new URL(this.address.endpoint);
    const signed = await this.signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname || '/',
        headers: {
          host: url.host,
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `VoiceID.${operation}`,
        },
        body,
      }),
    );
    const response = await fetch(url, { method: 'POST', headers: signed.headers as Record<string, string>, body });
    return { status: response.status, text: await response.text() };
  }

  startSession(input: { DomainId: string; SessionName: string; SpeakerId?: string } & Record<string, unknown>) {
    return this.call<{ Session: SessionDescription }>('StartSession', input);
  }

  appendAudio(input: {
    DomainId: string;
    SessionNameOrId: string;
    SequenceNumber: number;
    Audio: Uint8Array;
    AudioFormat?: 'PCM16' | 'WAV';
  }) {
    return this.call<AppendResult>('AppendSessionAudio', { ...input, Audio: Buffer.from(input.Audio).toString('base64') });
  }

  evaluate(DomainId: string, SessionNameOrId: string) {
    return this.call<Record<string, unknown>>('EvaluateSession', { DomainId, SessionNameOrId });
  }

  end(DomainId: string, SessionNameOrId: string) {
    return this.call<{ Session: SessionDescription }>('EndSession', { DomainId, SessionNameOrId });
  }
}

export interface SessionDescription {
  SessionId: string;
  SessionName: string;
  StreamingStatus: string;
  NextSequenceNumber: number;
  AudioSeconds: number;
  SpeechSeconds: number;
}

export interface AppendResult {
  SessionId: string;
  NextSequenceNumber: number;
  AudioSeconds: number;
  SpeechSeconds: number;
  StreamingStatus: string;
}

/** 8 kHz Float32 samples as the raw PCM16 little-endian bytes a telephony platform streams. */
export function toPcm16(samples: Float32Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i++) {
    view.setInt16(i * 2, Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32768))), true);
  }
  return bytes;
}

/** Streams audio into a session in chunks of `chunkSeconds`, in real time when asked, reporting each chunk. */
export async function streamAudio(
  client: SessionClient,
  target: { DomainId: string; SessionNameOrId: string },
  samples: Float32Array,
  options: { chunkSeconds?: number; realtime?: boolean; firstSequenceNumber?: number; onChunk?: (result: AppendResult) => void } = {},
): Promise<AppendResult | undefined> {
  const chunk = Math.round((options.chunkSeconds ?? 0.5) * 8000);
  let last: AppendResult | undefined;
  let sequence = options.firstSequenceNumber ?? 0;
  const started = Date.now();
  for (let start = 0; start < samples.length; start += chunk) {
    const piece = samples.subarray(start, start + chunk);
    if (options.realtime) {
      const due = started + ((start + piece.length) / 8000) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
    }
    last = await client.appendAudio({ ...target, SequenceNumber: sequence++, Audio: toPcm16(piece) });
    options.onChunk?.(last);
  }
  return last;
}
