import type { JobReference } from '#api-model/job';
import type { ReEncryptionTarget } from '#ports/encryption';
import type { ReEncryptionPosition } from './domain-re-encryption.ts';

/**
 * The worker's tasks, declared once: what each state of the batch job and domain re-encryption state machines
 * (lib/constructs/batch-jobs.ts, domain-re-encryption.ts) sends the worker besides `task` and the run's
 * `correlationId`, and what the embedded stack asks it at start. The worker handler answers each by name, the
 * constructs build their payloads with `taskPayload`, so a task renamed or given another member fails the build.
 */
export interface WorkerTasks {
  prepare: { job: JobReference };
  'process-batch': { job: JobReference; batch: number };
  finish: { job: JobReference };
  fail: { job: JobReference };
  /** The embedded stack's, at start: the jobs a stop interrupted, to run again. */
  'active-jobs': object;
  're-encrypt-domain': ReEncryptionTarget & { position: ReEncryptionPosition };
  're-encryption-failed': ReEncryptionTarget;
  /** The embedded stack's, at start: the re-encryptions a stop interrupted, to run again. */
  'active-re-encryptions': object;
}

export type WorkerTaskName = keyof WorkerTasks;

/** One invocation of the worker, with the correlation id of the request that started the run. */
export type WorkerTask = { [N in WorkerTaskName]: { task: N; correlationId?: string } & WorkerTasks[N] }[WorkerTaskName];

/**
 * A state's payload for task `task`: every member the task takes, each given as the state machine fills it in (a
 * JsonPath reference, say).
 */
export function taskPayload<N extends WorkerTaskName>(task: N, members: { [M in keyof WorkerTasks[N]]: unknown }): Record<string, unknown> {
  return { task, ...members };
}
