/**
 * Imported by observability.ts before the X-Ray SDK loads, which reads this once. Outside Lambda there is no X-Ray
 * and the tracer turns itself off, yet the SDK's automatic mode would still put an async hook with destroy tracking
 * on every promise of every request: an eighth of the embedded stack's main thread under load. Manual mode leaves
 * the hook out. In Lambda the tracer needs automatic mode, and keeps it.
 */
if (!process.env.AWS_LAMBDA_FUNCTION_NAME) process.env.AWS_XRAY_MANUAL_MODE ??= 'true';
