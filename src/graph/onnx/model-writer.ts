// Turns a finished GraphBuilder into ONNX ModelProto bytes (onnx-proto / protobufjs), with weights inline or as
// external data: fp32 weights can point straight into their .safetensors file, others go to a streamed .data file.
import { link, open, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { float32ToHalfArray } from '../weights/dtype-convert.ts';
import type { Attr, ElemType, GraphBuilder, InitializerSource, IoSpec, NodeSpec } from './graph-builder.ts';
import { assertRunsOnTarget } from './target-check.ts';

// onnx-proto is CommonJS: values come through the default export, types through the namespace.
const proto = onnxProto.onnx;

const ELEM_CODE: Record<ElemType, number> = { float32: 1, float16: 10, int64: 7, int32: 6, bool: 9 };
/** IR version 10 goes with opset 21 */
const IR_VERSION = 10;
/** large external tensors start page-aligned so runtimes can map them; small ones only need element alignment */
const EXTERNAL_ALIGN_BYTES = 4096;
const SMALL_ALIGN_BYTES = 64;

function attribute(name: string, a: Attr): onnx.IAttributeProto {
  const T = proto.AttributeProto.AttributeType;
  switch (a.kind) {
    case 'int':
      return { name, type: T.INT, i: a.value };
    case 'float':
      return { name, type: T.FLOAT, f: a.value };
    case 'ints':
      return { name, type: T.INTS, ints: [...a.value] };
    case 'floats':
      return { name, type: T.FLOATS, floats: [...a.value] };
    case 'string':
      return { name, type: T.STRING, s: new TextEncoder().encode(a.value) };
  }
}

function nodeProto(n: NodeSpec): onnx.INodeProto {
  return {
    name: n.name,
    opType: n.opType,
    domain: n.domain,
    input: [...n.inputs],
    output: [...n.outputs],
    attribute: Object.entries(n.attrs).map(([k, v]) => attribute(k, v)),
  };
}

function valueInfo(io: IoSpec): onnx.IValueInfoProto {
  if (!io.dims) return { name: io.name, type: { tensorType: { elemType: ELEM_CODE[io.elem] } } };
  const dim = io.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name: io.name, type: { tensorType: { elemType: ELEM_CODE[io.elem], shape: { dim } } } };
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** The initializer's bytes in its graph element type. */
async function initializerBytes(source: InitializerSource): Promise<Uint8Array> {
  if (source.kind === 'weight') {
    const data = await source.entry.read();
    return source.elem === 'float16' ? bytesOf(float32ToHalfArray(data)) : bytesOf(data);
  }
  if (source.elem === 'float16' && source.data instanceof Float32Array) return bytesOf(float32ToHalfArray(source.data));
  return bytesOf(source.data);
}

function tensorHeader(name: string, source: InitializerSource): onnx.ITensorProto {
  return { name, dims: [...source.dims], dataType: ELEM_CODE[source.elem] };
}

function modelProto(g: GraphBuilder, initializers: onnx.ITensorProto[], name: string): onnx.IModelProto {
  assertRunsOnTarget(g);
  const opsetImport: onnx.IOperatorSetIdProto[] = [{ domain: '', version: g.opset }];
  if (g.usedDomains.has('com.microsoft')) opsetImport.push({ domain: 'com.microsoft', version: 1 });
  return {
    irVersion: IR_VERSION,
    producerName: 'memeloom',
    opsetImport,
    graph: {
      name,
      node: g.nodes.map(nodeProto),
      initializer: initializers,
      input: g.inputs.map(valueInfo),
      output: g.outputs.map(valueInfo),
    },
  };
}

/** Encodes the model with every initializer inline (for models well under protobuf's 2 GB limit). */
export async function encodeModelInline(g: GraphBuilder, name = 'memeloom'): Promise<Uint8Array> {
  const initializers: onnx.ITensorProto[] = [];
  for (const [initName, source] of g.initializers) {
    initializers.push({ ...tensorHeader(initName, source), rawData: await initializerBytes(source) });
  }
  return proto.ModelProto.encode(modelProto(g, initializers, name)).finish();
}

interface WrittenModel {
  readonly modelPath: string;
  /** the .data file written for converted weights, when any */
  readonly dataPath?: string;
  /** weights referenced in place inside their source .safetensors files */
  readonly referencedTensors: number;
  readonly copiedTensors: number;
}

/**
 * ORT resolves external data relative to the model's folder and refuses paths (or symlinks) that lead out of it,
 * so a source file elsewhere gets a hard link there; null when that is impossible (another filesystem).
 */
async function linkSource(modelDir: string, sourcePath: string, links: Map<string, string | null>): Promise<string | null> {
  const abs = resolve(sourcePath);
  if (links.has(abs)) return links.get(abs) ?? null;
  if (dirname(abs) === modelDir) {
    links.set(abs, basename(abs));
    return basename(abs);
  }
  const linkName = `weights-${links.size}-${basename(abs)}`;
  await unlink(join(modelDir, linkName)).catch(() => undefined);
  try {
    await link(abs, join(modelDir, linkName));
    links.set(abs, linkName);
    return linkName;
  } catch {
    links.set(abs, null);
    return null;
  }
}

function externalTensor(header: onnx.ITensorProto, location: string, offset: number, length: number): onnx.ITensorProto {
  return {
    ...header,
    dataLocation: proto.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(length) },
    ],
  };
}

/**
 * Writes `modelPath` with weights as external data. fp32 weights that sit as F32 in a safetensors file are
 * referenced where they are; the rest are converted one at a time into `<model>.data`.
 */
export async function writeModelExternal(g: GraphBuilder, modelPath: string, name = 'memeloom'): Promise<WrittenModel> {
  const modelDir = dirname(resolve(modelPath));
  const dataName = `${basename(modelPath)}.data`;
  const dataPath = join(modelDir, dataName);
  const links = new Map<string, string | null>();
  const initializers: onnx.ITensorProto[] = [];
  let referenced = 0;
  let copied = 0;
  const dataFile = await open(dataPath, 'w');
  let position = 0;
  try {
    for (const [initName, source] of g.initializers) {
      const header = tensorHeader(initName, source);
      const location = source.kind === 'weight' && source.elem === 'float32' ? source.entry.location : undefined;
      const linkName = location ? await linkSource(modelDir, location.path, links) : null;
      if (location && linkName) {
        initializers.push(externalTensor(header, linkName, location.offset, location.byteLength));
        referenced += 1;
        continue;
      }
      const bytes = await initializerBytes(source);
      if (source.kind === 'host' && bytes.byteLength <= 4096) {
        initializers.push({ ...header, rawData: bytes });
        continue;
      }
      const align = bytes.byteLength >= 65536 ? EXTERNAL_ALIGN_BYTES : SMALL_ALIGN_BYTES;
      position = Math.ceil(position / align) * align;
      await dataFile.write(bytes, 0, bytes.byteLength, position);
      initializers.push(externalTensor(header, dataName, position, bytes.byteLength));
      position += bytes.byteLength;
      copied += 1;
    }
  } finally {
    await dataFile.close();
  }
  if (copied === 0) await unlink(dataPath);
  const encoded = proto.ModelProto.encode(modelProto(g, initializers, name)).finish();
  const handle = await open(modelPath, 'w');
  try {
    await handle.write(encoded, 0, encoded.byteLength, 0);
  } finally {
    await handle.close();
  }
  return { modelPath, dataPath: copied ? dataPath : undefined, referencedTensors: referenced, copiedTensors: copied };
}

/**
 * The same model with its symbolic input dims fixed to `sizes` (by dim name). ORT then folds every shape
 * computation at session creation, which an EP without int64 kernels (WebGPU) could not run. Weights stay where
 * they are (inline, or external data next to the model).
 */
export function bindInputDims(model: Uint8Array, sizes: Readonly<Record<string, number>>): Uint8Array {
  const decoded = proto.ModelProto.decode(model);
  for (const input of decoded.graph?.input ?? []) {
    for (const dim of input.type?.tensorType?.shape?.dim ?? []) {
      const size = dim.dimParam ? sizes[dim.dimParam] : undefined;
      if (size === undefined) continue;
      // dim_value and dim_param are a oneof: drop the name before setting the value.
      delete (dim as { dimParam?: string }).dimParam;
      dim.dimValue = size;
    }
  }
  return proto.ModelProto.encode(decoded).finish();
}

/** The graph output names of an encoded model (without opening a session). */
export function graphOutputNames(model: Uint8Array): string[] {
  return (proto.ModelProto.decode(model).graph?.output ?? []).map((o) => o.name ?? '');
}
