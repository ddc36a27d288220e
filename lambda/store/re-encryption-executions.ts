import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ServiceConfig } from '#config';
import { tracer } from '#observability';

/** What a re-encryption run is given: the domain, and the key its values move to. */
export interface ReEncryptionTarget {
  domainId: string;
  kmsKeyId: string;
}

/**
 * Starts the re-encryption state machine for a domain whose key changed (lib/constructs/domain-re-encryption.ts).
 * `name` makes a start idempotent: the same name with the same input is the same execution.
 */
export class ReEncryptionExecutions {
  private readonly client: SFNClient;

  constructor(private readonly config: Pick<ServiceConfig, 'region' | 'endpoints' | 'reEncryptionStateMachineArn'>) {
    this.client = tracer.captureAWSv3Client(new SFNClient({ region: config.region, endpoint: config.endpoints.stepFunctions }));
  }

  async start(target: ReEncryptionTarget, name: string): Promise<void> {
    const stateMachineArn = this.config.reEncryptionStateMachineArn;
    if (!stateMachineArn) throw new Error('REENCRYPTION_STATE_MACHINE_ARN is not set for this function.');
    await this.client.send(
      new StartExecutionCommand({
        stateMachineArn,
        name,
        input: JSON.stringify({ domainId: target.domainId, kmsKeyId: target.kmsKeyId, position: { phase: 'voiceprints', pass: 1, found: 0, done: false } }),
      }),
    );
  }
}
