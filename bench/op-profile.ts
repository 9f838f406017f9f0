// bench:graph's profile (MEMELOOM_BENCH_PROFILE=1): where one UNet step's time goes on each side, by kind of work.
// ORT's profile JSON gives each node's kernel time; torch's autograd profiler gives each aten op's self CPU time.
// Both are wall time on the thread that runs the op (intra-op workers included in it), so the kinds compare.
import { readFileSync } from 'node:fs';

export type OpKind = 'convolution' | 'attention' | 'linear (matmul)' | 'GroupNorm' | 'LayerNorm' | 'activation' | 'elementwise' | 'layout/copy' | 'other';

export const OP_KINDS: readonly OpKind[] = ['convolution', 'attention', 'linear (matmul)', 'GroupNorm', 'LayerNorm', 'activation', 'elementwise', 'layout/copy', 'other'];

export interface OpTime {
  readonly op: string;
  readonly kind: OpKind;
  readonly seconds: number;
  readonly count: number;
  /** floating-point operations (multiply and add counted apart), where the op's shapes say (ORT's Conv, MatMul, Gemm, attention) */
  readonly flops: number;
}

/** GroupNorm's nodes carry the `group_norm` scope in their names (nn/layers.ts), whatever their op type. */
export function ortOpKind(opType: string, nodeName: string): OpKind {
  if (/(^|[./])group_norm[./]/.test(nodeName) || opType === 'GroupNormalization' || opType === 'GroupNorm') return 'GroupNorm';
  if (/Conv/.test(opType)) return 'convolution';
  if (/Attention|Softmax/.test(opType)) return 'attention';
  if (/MatMul|Gemm/.test(opType)) return 'linear (matmul)';
  if (/LayerNorm/.test(opType)) return 'LayerNorm';
  if (/Gelu|Erf|Sigmoid|Silu|Swish|Tanh/.test(opType)) return 'activation';
  if (/^(Add|Sub|Mul|Div|Sqrt|Reciprocal|Pow|ReduceMean|Cos|Sin|Exp)$/.test(opType)) return 'elementwise';
  if (/Transpose|Reshape|Reorder|Concat|Split|Slice|Gather|Resize|Unsqueeze|Squeeze|Expand|Identity|Cast|Shape|Flatten/.test(opType)) return 'layout/copy';
  return 'other';
}

export function torchOpKind(op: string): OpKind {
  const name = op.replace(/^aten::/, '');
  if (/conv/.test(name)) return 'convolution';
  // torch 1.13's CPU baddbmm (diffusers' attention scores) runs as one addmm_ per batch entry, so addmm_ is attention.
  if (/^(baddbmm|bmm|addmm_|_softmax|softmax|scaled_dot_product)/.test(name)) return 'attention';
  if (/^(addmm|mm|matmul|linear)$/.test(name)) return 'linear (matmul)';
  if (/group_norm/.test(name)) return 'GroupNorm';
  if (/layer_norm/.test(name)) return 'LayerNorm';
  if (/gelu|silu|sigmoid|erf|tanh/.test(name)) return 'activation';
  if (/^(add|sub|mul|div|rsub|sqrt|rsqrt|pow|exp|cos|sin|mean|add_|mul_|div_|sub_)$/.test(name)) return 'elementwise';
  if (/copy|contiguous|permute|transpose|view|reshape|cat|clone|empty|zeros|chunk|split|slice|select|expand|upsample|interpolate|as_strided|unsqueeze|to$|_to_copy|t$|stack|arange|flatten|detach|fill/.test(name)) return 'layout/copy';
  return 'other';
}

type ShapeList = readonly Readonly<Record<string, readonly number[]>>[];

interface OrtEvent {
  readonly cat: string;
  readonly name: string;
  readonly ts: number;
  readonly dur: number;
  readonly args?: { readonly op_name?: string; readonly input_type_shape?: ShapeList; readonly output_type_shape?: ShapeList; readonly parameter_size?: string };
}

const product = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);

/**
 * FLOPs of a node from the shapes ORT's profile records. Conv: 2 · output elements · weights per output channel
 * (parameter_size holds the weights and bias, so it is right for NCHWc-reordered weights too, up to their channel
 * padding); MatMul/Gemm: 2 · A's elements · N; MultiHeadAttention: q·kᵀ and p·v, 4 · B · S · L · (heads · head dim).
 */
function ortFlops(e: OrtEvent): number {
  const [ins, outs] = [(e.args?.input_type_shape ?? []).map((s) => Object.values(s)[0]), (e.args?.output_type_shape ?? []).map((s) => Object.values(s)[0])];
  const op = e.args?.op_name ?? '';
  if (!outs[0]) return 0;
  if (op === 'Conv' || op === 'FusedConv') {
    const channels = outs[0][1];
    const weights = Number(e.args?.parameter_size ?? 0) / 4 - channels;
    return weights > 0 ? (2 * product(outs[0]) * weights) / channels : 0;
  }
  if (/MatMul|Gemm/.test(op) && ins[0]) return 2 * product(ins[0]) * outs[0][outs[0].length - 1];
  if (op === 'MultiHeadAttention' && ins[0] && ins[1]) return 4 * ins[0][0] * ins[0][1] * ins[1][1] * ins[0][2];
  return 0;
}

/** Node kernel times of the last run in an ORT profile file. */
export function ortProfileOps(path: string): OpTime[] {
  const events = JSON.parse(readFileSync(path, 'utf8')) as OrtEvent[];
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
  const last = runs[runs.length - 1];
  const byOp = new Map<string, OpTime>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || !e.args?.op_name) continue;
    if (last && (e.ts < last.ts || e.ts > last.ts + last.dur)) continue;
    const node = e.name.slice(0, -'_kernel_time'.length);
    const kind = ortOpKind(e.args.op_name, node);
    const key = kind === 'GroupNorm' ? `GroupNorm: ${e.args.op_name}` : e.args.op_name;
    const seen = byOp.get(key);
    byOp.set(key, { op: key, kind, seconds: (seen?.seconds ?? 0) + e.dur / 1e6, count: (seen?.count ?? 0) + 1, flops: (seen?.flops ?? 0) + ortFlops(e) });
  }
  return [...byOp.values()].sort((a, b) => b.seconds - a.seconds);
}

export function torchProfileOps(rows: readonly { op: string; self_s: number; count: number }[]): OpTime[] {
  return rows.map((r) => ({ op: r.op, kind: torchOpKind(r.op), seconds: r.self_s, count: r.count, flops: 0 })).sort((a, b) => b.seconds - a.seconds);
}

const total = (ops: readonly OpTime[], kind?: OpKind) => ops.filter((o) => !kind || o.kind === kind).reduce((s, o) => s + o.seconds, 0);
const flopsOf = (ops: readonly OpTime[], kind: OpKind) => ops.filter((o) => o.kind === kind).reduce((s, o) => s + o.flops, 0);

/**
 * The side-by-side table by kind of work, then each side's heaviest ops. GFLOP are counted on ORT's nodes (the
 * same model does the same arithmetic on both sides), so GFLOP/s shows each side's rate for that kind of work.
 */
export function profileReport(ort: readonly OpTime[], torch: readonly OpTime[], top = 12): string {
  const lines = ['kind of work          ORT s   PyTorch s   ORT/PyTorch    GFLOP   GFLOP/s ORT  PyTorch'];
  for (const kind of OP_KINDS) {
    const [a, b] = [total(ort, kind), total(torch, kind)];
    if (a < 0.005 && b < 0.005) continue;
    const gflop = flopsOf(ort, kind) / 1e9;
    const rates = gflop > 0 ? `${gflop.toFixed(0).padStart(8)} ${(gflop / a).toFixed(0).padStart(12)} ${b > 0 ? (gflop / b).toFixed(0).padStart(8) : '       –'}` : '';
    lines.push(`${kind.padEnd(20)} ${a.toFixed(2).padStart(6)} ${b.toFixed(2).padStart(11)} ${b > 0 ? `${(a / b).toFixed(2)}×`.padStart(13) : '            –'} ${rates}`);
  }
  lines.push(`${'sum of op times'.padEnd(20)} ${total(ort).toFixed(2).padStart(6)} ${total(torch).toFixed(2).padStart(11)} ${`${(total(ort) / total(torch)).toFixed(2)}×`.padStart(13)}`);
  const list = (side: string, ops: readonly OpTime[]) => {
    lines.push(`${side}, heaviest ops:`);
    for (const o of ops.slice(0, top)) lines.push(`  ${o.seconds.toFixed(3).padStart(7)} s  ${String(o.count).padStart(5)}×  ${o.op} (${o.kind})`);
  };
  list('ORT', ort);
  list('PyTorch', torch);
  return lines.join('\n');
}
