import type { Needs } from '#context';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(.+)$/;

/**
 * Why this deployment may not act as `roleArn` for a batch job, or undefined when it may. API Gateway cannot check
 * iam:PassRole as Voice ID did, so anyone allowed to start a job could otherwise name any role that trusts the
 * account and read, through the job, what that role can read. The bound (a role of this account whose path and
 * name start with the deployment's prefix) is the resource of the worker's sts:AssumeRole policy too
 * (lib/constructs/batch-jobs.ts); it is checked here before a job is accepted and again before its role is assumed.
 */
export function dataAccessRoleRefusal(ctx: Needs<'accountId' | 'dataAccessRolePrefix'>, roleArn: string): string | undefined {
  const [, account, pathAndName] = ROLE_ARN.exec(roleArn) ?? [];
  if (account === ctx.accountId && pathAndName?.startsWith(ctx.dataAccessRolePrefix)) return undefined;
  return (
    `The DataAccessRoleArn ${roleArn} is not a role this deployment's batch jobs may use: it must be a role of account ` +
    `${ctx.accountId} whose path and name start with ${ctx.dataAccessRolePrefix} (arn:aws:iam::${ctx.accountId}:role/${ctx.dataAccessRolePrefix}...). ` +
    'Use such a role, or ask the operator to change the stack parameter dataAccessRolePrefix.'
  );
}
