// Multi-head attention (self or cross) with diffusers' `to_q/to_k/to_v/to_out.0` names or HF CLIP's
// `q_proj/k_proj/v_proj/out_proj`. Unmasked attention is com.microsoft MultiHeadAttention where the target's
// profile says its EP has a fused kernel (targets.ts: every target today); masked attention (CLIP's causal mask)
// stays MatMul/Softmax.
import type { GraphBuilder, Value } from '../onnx/graph-builder.ts';
import { attr } from '../onnx/graph-builder.ts';
import * as op from '../onnx/ops.ts';
import { Linear } from './layers.ts';
import { Module, ModuleList, NoParams } from './module.ts';

/**
 * softmax(q·kᵀ·scale + mask)·v over heads. q [B,S,H·D], k/v [B,L,H·D] → [B,S,H·D].
 * `mask` is additive and broadcasts to [B,H,S,L].
 */
function scaledDotProductAttention(g: GraphBuilder, q: Value, k: Value, v: Value, heads: number, headDim: number, mask?: Value): Value {
  const scale = 1 / Math.sqrt(headDim);
  if (g.profile.fusedAttention && !mask) {
    return g.op('MultiHeadAttention', [q, k, v], { num_heads: attr.int(heads), scale: attr.float(scale) }, 'com.microsoft');
  }
  const split = (x: Value, perm: number[]) => op.transpose(g, op.reshape(g, x, [0, 0, heads, headDim]), perm);
  const qh = split(q, [0, 2, 1, 3]);
  const kt = split(k, [0, 2, 3, 1]);
  const vh = split(v, [0, 2, 1, 3]);
  let scores = op.mul(g, op.matmul(g, qh, kt), g.scalar(scale));
  if (mask) scores = op.add(g, scores, mask);
  const out = op.matmul(g, softmaxLastAxis(g, scores), vh);
  return op.reshape(g, op.transpose(g, out, [0, 2, 1, 3]), [0, 0, heads * headDim]);
}

/** Softmax over the last axis; in fp32 where the target asks for fp32 statistics in fp16 graphs. */
function softmaxLastAxis(g: GraphBuilder, scores: Value): Value {
  if (g.floatType !== 'float16' || !g.profile.fp32NormsAndSoftmax) return op.softmax(g, scores, -1);
  return op.cast(g, op.softmax(g, op.cast(g, scores, 'float32'), -1), 'float16');
}

interface AttentionConfig {
  readonly queryDim: number;
  /** key/value input width; defaults to queryDim (self-attention) */
  readonly crossDim?: number;
  readonly heads: number;
  readonly headDim: number;
  readonly qkvBias?: boolean;
  readonly outBias?: boolean;
  /** 'diffusers' → to_q…to_out.0; 'clip' → q_proj…out_proj */
  readonly naming?: 'diffusers' | 'clip';
}

export class Attention extends Module {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly out: Linear;

  constructor(readonly config: AttentionConfig) {
    super();
    const inner = config.heads * config.headDim;
    const kvDim = config.crossDim ?? config.queryDim;
    const qkvBias = config.qkvBias ?? false;
    const clip = config.naming === 'clip';
    this.q = this.child(clip ? 'q_proj' : 'to_q', new Linear(config.queryDim, inner, qkvBias));
    this.k = this.child(clip ? 'k_proj' : 'to_k', new Linear(kvDim, inner, qkvBias));
    this.v = this.child(clip ? 'v_proj' : 'to_v', new Linear(kvDim, inner, qkvBias));
    const out = new Linear(inner, config.queryDim, config.outBias ?? true);
    if (clip) this.out = this.child('out_proj', out);
    else {
      // to_out is [Linear, Dropout] in diffusers; only index 0 holds weights.
      this.child('to_out', new ModuleList<Module>([out, new NoParams()]));
      this.out = out;
    }
  }

  /** x [B,S,C]; context [B,L,D] for cross-attention (self-attention when omitted). */
  forward(g: GraphBuilder, x: Value, context?: Value, mask?: Value): Value {
    const kv = context ?? x;
    const q = this.q.forward(g, x);
    const k = this.k.forward(g, kv);
    const v = this.v.forward(g, kv);
    const h = scaledDotProductAttention(g, q, k, v, this.config.heads, this.config.headDim, mask);
    return this.out.forward(g, h);
  }
}
