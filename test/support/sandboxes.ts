import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { SessionClient } from '#connectors/session-client';
import { LAYER_MODEL_DIR } from '#lib/constructs/speech-model-layer';
import { proxyEvent } from '#lib/local/api-gateway';
import { type FunctionLayout, LambdaSandbox, layOutFunction, sandboxEnvironment } from '#lib/local/lambda-sandbox';
import { type FunctionAssets, functionsOf } from './lambda-assets.ts';

export interface LaidOutFunction extends FunctionAssets {
  layout: FunctionLayout;
}

/**
 * The functions of the cloud assembly `assemblyDir`, by handler name, each copied into a sandbox directory of its
 * own (lib/local/lambda-sandbox.ts) under `root`, a fresh directory outside the project.
 */
export function layOutAssembly(assemblyDir: string): { root: string; functions: Record<string, LaidOutFunction> } {
  const root = mkdtempSync(path.join(tmpdir(), 'voice-id-sandboxes-'));
  const functions = Object.fromEntries(
    functionsOf(assemblyDir).map((fn) => [fn.handlerName, { ...fn, layout: layOutFunction(fn, path.join(root, fn.functionId)) }]),
  );
  return { root, functions };
}

/**
 * A fresh sandbox of `fn` with the environment a stack gives its handlers, and what the deployed stack sets
 * beside: the layer's model directory (SPEAKER_MODEL_DIR, unless `handlerEnvironment` names another), speech work
 * in the request's own thread. Nothing else of this process's environment reaches it.
 */
export function startSandbox(fn: LaidOutFunction, handlerEnvironment: Record<string, string>): LambdaSandbox {
  return new LambdaSandbox(
    fn.functionId,
    fn.layout,
    sandboxEnvironment(fn.functionId, fn.layout, {
      SPEAKER_MODEL_DIR: LAYER_MODEL_DIR,
      ...handlerEnvironment,
      SPEECH_WORKERS: '0',
      // Quiet, as jest.config.js keeps the tests.
      POWERTOOLS_LOG_LEVEL: 'WARN',
    }),
  );
}

/**
 * Voice ID operations over the wire protocol, answered by an API function's sandbox: each request becomes the
 * proxy event API Gateway would send it (which has checked its signature already).
 */
export class SandboxSessionClient extends SessionClient {
  constructor(
    private readonly api: LambdaSandbox,
    private readonly accessKeyId: string,
  ) {
    super({
      endpoint: 'http://api-gateway.invalid/',
      region: 'us-east-1',
      credentials: { accessKeyId, secretAccessKey: 'checked-by-api-gateway' },
    });
  }

  protected override async send(operation: string, body: string): Promise<{ status: number; text: string }> {
    const event = proxyEvent({
      resource: '/',
      path: '/',
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `VoiceID.${operation}` },
      body,
      requestId: randomUUID(),
      accessKey: this.accessKeyId,
    });
    const result = (await this.api.invoke(event)) as APIGatewayProxyResult;
    return { status: result.statusCode, text: result.body };
  }
}
