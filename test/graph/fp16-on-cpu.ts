// Runs an fp16 graph (built for a GPU target) on ORT's CPU EP: as it is where every op has a CPU fp16 kernel,
// otherwise the same graph structure in fp32 with each fp16 value rounded through fp16 and back — weights, every
// fp16 activation a node writes, and every Cast to fp16 — so the numbers are those of fp16 storage.
import type { ElemType, GraphBuilder, InitializerSource, NodeSpec } from '../../src/graph/onnx/graph-builder.ts';
import { GraphBuilder as Builder } from '../../src/graph/onnx/graph-builder.ts';
import { encodeModelInline } from '../../src/graph/onnx/model-writer.ts';
import { createSession, type HostTensor } from '../../src/graph/runtime.ts';
import { float32ToHalfArray, halfArrayToFloat32 } from '../../src/graph/weights/dtype-convert.ts';

const CAST_TO: Record<number, ElemType> = { 1: 'float32', 10: 'float16', 7: 'int64', 6: 'int32', 9: 'bool' };

/** Element type of every value, by the few rules our graphs need (ops keep their first input's type). */
export function inferElemTypes(g: GraphBuilder): Map<string, ElemType> {
  const types = new Map<string, ElemType>();
  for (const io of g.inputs) types.set(io.name, io.elem);
  for (const [name, init] of g.initializers) types.set(name, init.elem);
  for (const node of g.nodes) {
    let elem: ElemType | undefined;
    if (node.opType === 'Cast') elem = CAST_TO[(node.attrs.to as { value: number }).value];
    else if (node.opType === 'Shape' || node.opType === 'ArgMax') elem = 'int64';
    else elem = types.get(node.inputs.find((i) => i !== '') ?? '');
    if (!elem) throw new Error(`no element type for ${node.opType} (${node.name})`);
    for (const o of node.outputs) types.set(o, elem);
  }
  return types;
}

const roundHalf = (data: Float32Array) => halfArrayToFloat32(float32ToHalfArray(data));

/** The fp32 twin of `g` with fp16 storage rounding at every place `g` holds fp16 values. */
export function fp16RoundedTwin(g: GraphBuilder): GraphBuilder {
  const types = inferElemTypes(g);
  const twin = new Builder({ target: 'cpu', floatType: 'float32', opset: g.opset });
  twin.inputs.push(...g.inputs);
  twin.outputs.push(...g.outputs);
  for (const [name, init] of g.initializers) {
    if (init.elem !== 'float16') twin.initializers.set(name, init);
    else if (init.kind === 'weight') twin.initializers.set(name, { ...init, elem: 'float32', entry: { ...init.entry, location: undefined, read: async () => roundHalf(await init.entry.read()) } });
    else twin.initializers.set(name, { ...init, elem: 'float32', data: roundHalf(init.data as Float32Array) } as InitializerSource);
  }
  const roundTrip = (from: string, to: string, at: string): NodeSpec[] => [
    { opType: 'Cast', domain: '', name: `${at}/to_half`, inputs: [from], outputs: [`${to}__half`], attrs: { to: { kind: 'int', value: 10 } } },
    { opType: 'Cast', domain: '', name: `${at}/to_float`, inputs: [`${to}__half`], outputs: [to], attrs: { to: { kind: 'int', value: 1 } } },
  ];
  for (const node of g.nodes) {
    const halfOutputs = node.outputs.filter((o) => types.get(o) === 'float16');
    if (!halfOutputs.length) {
      twin.nodes.push(node);
      continue;
    }
    if (node.opType === 'Cast') {
      twin.nodes.push(...roundTrip(node.inputs[0], node.outputs[0], node.name));
      continue;
    }
    twin.nodes.push({ ...node, outputs: node.outputs.map((o) => (halfOutputs.includes(o) ? `${o}__exact` : o)) });
    for (const o of halfOutputs) twin.nodes.push(...roundTrip(`${o}__exact`, o, `${node.name}/${o}`));
  }
  return twin;
}

export interface Fp16Run {
  readonly outputs: Record<string, HostTensor>;
  /** 'as built': the graph itself ran; 'fp16-rounded twin': a kernel lacked fp16 on the CPU EP */
  readonly mode: 'as built' | 'fp16-rounded twin';
}

/** Runs `g` once on the CPU EP, as fp16 if every kernel is there (unless `twin`), else as its fp16-rounded twin. */
export async function runFp16OnCpu(g: GraphBuilder, feeds: Record<string, HostTensor>, options: { twin?: boolean } = {}): Promise<Fp16Run> {
  let session: Awaited<ReturnType<typeof createSession>>;
  let mode: Fp16Run['mode'] = 'as built';
  // The graph is checked against its own target's table when it is encoded; the twin is plain cpu.
  const encoded = await encodeModelInline(g);
  try {
    if (options.twin) throw new Error('Could not find an implementation (twin asked for)');
    session = await createSession(encoded, { provider: 'cpu', inputs: g.inputs, threads: 1 });
  } catch (error) {
    if (!/Could not find an implementation/.test((error as Error).message)) throw error;
    mode = 'fp16-rounded twin';
    session = await createSession(await encodeModelInline(fp16RoundedTwin(g)), { provider: 'cpu', inputs: g.inputs, threads: 1 });
  }
  try {
    return { outputs: await session.run(feeds), mode };
  } finally {
    await session.dispose();
  }
}
