'use strict';
/*
 * The Node.js runtime's part of a Lambda sandbox, for a function run from its bundle in a process of its own
 * (lib/local/lambda-sandbox.ts copies this file beside the function, never running it from the project, so that
 * nothing of the project's node_modules is in reach). It loads `_HANDLER` from LAMBDA_TASK_ROOT as the runtime
 * does, then runs the invocations its parent sends over IPC. Plain JavaScript: the sandbox has no TypeScript loader.
 */
const { readFileSync } = require('node:fs');
const path = require('node:path');

const [moduleName, exportName] = process.env._HANDLER.split('.');
const describe = (error) => ({
  name: error?.name ?? 'Error',
  message: error?.message ?? String(error),
  stack: error?.stack,
});

const loading = process.hrtime.bigint();
const handler = loadHandler();
if (handler) {
  process.send({ type: 'ready', initMs: Number(process.hrtime.bigint() - loading) / 1e6 });
  process.on('message', answer);
  // The parent is gone: so is the sandbox.
  process.on('disconnect', () => process.exit(0));
}

/** The handler, or undefined when it could not be loaded (reported to the parent, and the process ends). */
function loadHandler() {
  try {
    const loaded = require(path.join(process.env.LAMBDA_TASK_ROOT, moduleName))[exportName];
    if (typeof loaded !== 'function') throw new TypeError(`${process.env._HANDLER} is not a function.`);
    return loaded;
  } catch (error) {
    // Lambda's Runtime.ImportModuleError: the parent reports it for every invocation, as Lambda would.
    process.send({ type: 'init-error', error: describe(error) }, () => process.exit(1));
    return undefined;
  }
}

/** One message of the parent: an invocation, or a question about this process's memory. */
async function answer(message) {
  if (message.type === 'stats') {
    process.send({ type: 'stats', id: message.id, maxRssKiB: peakRssKiB() });
    return;
  }
  const deadline = Date.now() + message.timeoutMs;
  const context = {
    functionName: message.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: message.functionArn,
    memoryLimitInMB: String(message.memorySize),
    awsRequestId: message.requestId,
    logGroupName: `/aws/lambda/${message.functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    const result = await handler(message.event, context);
    process.send({ type: 'result', id: message.id, result });
  } catch (error) {
    process.send({ type: 'error', id: message.id, error: describe(error) });
  }
}

/**
 * The process's peak resident memory in KiB, what Lambda reports as "Max Memory Used": Linux's VmHWM, of this
 * program's own memory. Not getrusage's maxRSS, which also counts the parent's memory copied at fork, before exec.
 */
function peakRssKiB() {
  try {
    return Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
  } catch {
    return process.resourceUsage().maxRSS;
  }
}
