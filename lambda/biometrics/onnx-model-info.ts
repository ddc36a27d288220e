/**
 * What an ONNX file says about itself without a session: its metadata (sherpa-onnx keeps a speaker model's
 * framework, sample rate and normalisation there, which onnxruntime-node does not expose) and the names and shapes
 * of its graph's inputs and outputs (the embedding's dimension is needed before the first embedding is made).
 *
 * A minimal protobuf walk over the fields of onnx.proto that hold these; everything else, the weights included, is
 * skipped by its length.
 */

export interface OnnxTensorInfo {
  name: string;
  /** A number for a fixed dimension, a string for a named (dynamic) one, undefined when neither is given. */
  shape: (number | string | undefined)[];
}

export interface OnnxModelInfo {
  metadata: Record<string, string>;
  /** Graph inputs that are not initializers, in order. */
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
}

// Field numbers of onnx.proto.
const MODEL_GRAPH = 7;
const MODEL_METADATA = 14;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const TENSOR_NAME = 8;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_TYPE_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;
const DIM_PARAM = 2;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

const WIRE_VARINT = 0;
const WIRE_64BIT = 1;
const WIRE_BYTES = 2;
const WIRE_32BIT = 5;

type Field = { number: number; varint: bigint } | { number: number; bytes: Uint8Array };

/** Reads the model's header; throws a RangeError when the bytes are not a protobuf message. */
export function onnxModelInfo(bytes: Uint8Array): OnnxModelInfo {
  const metadata: Record<string, string> = {};
  const inputs: OnnxTensorInfo[] = [];
  const outputs: OnnxTensorInfo[] = [];
  for (const field of fields(bytes)) {
    if (field.number === MODEL_METADATA && 'bytes' in field) {
      const entry = messageOf(field.bytes);
      metadata[text(entry.get(ENTRY_KEY)?.[0])] = text(entry.get(ENTRY_VALUE)?.[0]);
    }
    if (field.number === MODEL_GRAPH && 'bytes' in field) {
      const graph = messageOf(field.bytes);
      const initializers = new Set(
        (graph.get(GRAPH_INITIALIZER) ?? []).map((tensor) => text(messageOf(bytesOf(tensor)).get(TENSOR_NAME)?.[0])),
      );
      inputs.push(...(graph.get(GRAPH_INPUT) ?? []).map(tensorInfo).filter(({ name }) => !initializers.has(name)));
      outputs.push(...(graph.get(GRAPH_OUTPUT) ?? []).map(tensorInfo));
    }
  }
  return { metadata, inputs, outputs };
}

function tensorInfo(valueInfo: Field): OnnxTensorInfo {
  const info = messageOf(bytesOf(valueInfo));
  const type = info.get(VALUE_INFO_TYPE)?.[0];
  const tensor = type && messageOf(bytesOf(type)).get(TYPE_TENSOR)?.[0];
  const shape = tensor && messageOf(bytesOf(tensor)).get(TENSOR_TYPE_SHAPE)?.[0];
  const dims = shape ? (messageOf(bytesOf(shape)).get(SHAPE_DIM) ?? []) : [];
  return {
    name: text(info.get(VALUE_INFO_NAME)?.[0]),
    shape: dims.map((dim) => {
      const parts = messageOf(bytesOf(dim));
      const value = parts.get(DIM_VALUE)?.[0];
      const param = parts.get(DIM_PARAM)?.[0];
      if (value && 'varint' in value) return Number(value.varint);
      return param ? text(param) : undefined;
    }),
  };
}

function messageOf(bytes: Uint8Array): Map<number, Field[]> {
  const message = new Map<number, Field[]>();
  for (const field of fields(bytes)) {
    const list = message.get(field.number);
    if (list) list.push(field);
    else message.set(field.number, [field]);
  }
  return message;
}

function bytesOf(field: Field): Uint8Array {
  return 'bytes' in field ? field.bytes : new Uint8Array();
}

const decoder = new TextDecoder();
function text(field: Field | undefined): string {
  return field ? decoder.decode(bytesOf(field)) : '';
}

function* fields(bytes: Uint8Array): Generator<Field> {
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= bytes.length || shift > 63n) throw new RangeError('The ONNX file is truncated or not a protobuf message.');
      const byte = bytes[at++];
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === WIRE_VARINT) yield { number, varint: varint() };
    else if (wire === WIRE_BYTES) {
      const length = Number(varint());
      if (at + length > bytes.length) throw new RangeError('The ONNX file is truncated or not a protobuf message.');
      yield { number, bytes: bytes.subarray(at, at + length) };
      at += length;
    } else if (wire === WIRE_64BIT) at += 8;
    else if (wire === WIRE_32BIT) at += 4;
    else throw new RangeError('The ONNX file is truncated or not a protobuf message.');
  }
}
