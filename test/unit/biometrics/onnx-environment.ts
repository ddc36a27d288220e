/**
 * Jest runs each test file in its own realm, but onnxruntime-node's native binding makes its output arrays in
 * Node's main realm, and onnxruntime-common then rejects them for failing `instanceof Float32Array` in the test's
 * realm. Sharing the main realm's typed arrays with the tests makes both sides agree, as they do outside Jest.
 */
import { TestEnvironment } from 'jest-environment-node';

const SHARED_GLOBALS = [
  'ArrayBuffer',
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Uint8Array',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
] as const;

export default class OnnxEnvironment extends TestEnvironment {
  constructor(...args: ConstructorParameters<typeof TestEnvironment>) {
    super(...args);
    for (const name of SHARED_GLOBALS) this.global[name] = globalThis[name] as never;
  }
}
