// Leaf layers with torch's parameter names and semantics: Linear, Conv2d, GroupNorm, LayerNorm.
// They emit graph ops for the builder's target; composite blocks live in the other nn/ files.
import type { GraphBuilder, Value } from '../onnx/graph-builder.ts';
import { attr } from '../onnx/graph-builder.ts';
import * as op from '../onnx/ops.ts';
import { Module } from './module.ts';

export class Linear extends Module {
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    readonly bias = true,
  ) {
    super();
    this.param('weight', [outFeatures, inFeatures]);
    if (bias) this.param('bias', [outFeatures]);
  }

  /** y = x · Wᵀ (+ b) over the last axis; the weight keeps torch's [out, in] layout (ORT folds the transpose). */
  forward(g: GraphBuilder, x: Value, options: { withBias?: boolean } = {}): Value {
    const y = op.matmul(g, x, op.transpose(g, this.w(g, 'weight'), [1, 0]));
    return this.bias && options.withBias !== false ? op.add(g, y, this.w(g, 'bias')) : y;
  }

  biasValue(g: GraphBuilder): Value | null {
    return this.bias ? this.w(g, 'bias') : null;
  }
}

export class Conv2d extends Module {
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: number,
    readonly options: { stride?: number; padding?: number; bias?: boolean } = {},
  ) {
    super();
    this.param('weight', [outChannels, inChannels, kernel, kernel]);
    if (options.bias !== false) this.param('bias', [outChannels]);
  }

  /** `pads` overrides the symmetric padding ([top, left, bottom, right]). */
  forward(g: GraphBuilder, x: Value, pads?: readonly [number, number, number, number]): Value {
    const p = this.options.padding ?? 0;
    const bias = this.options.bias !== false ? this.w(g, 'bias') : null;
    return op.conv(g, x, this.w(g, 'weight'), bias, { stride: this.options.stride ?? 1, pads: pads ?? [p, p, p, p] });
  }
}

export class GroupNorm extends Module {
  constructor(
    readonly groups: number,
    readonly channels: number,
    readonly eps: number,
  ) {
    super();
    if (channels % groups !== 0) throw new Error(`GroupNorm: ${channels} channels do not split into ${groups} groups`);
    this.param('weight', [channels]);
    this.param('bias', [channels]);
  }

  /** GroupNorm over NCHW (or N,C,L); `silu` fuses the activation that follows (the cuda target's kernel does it). */
  forward(g: GraphBuilder, x: Value, options: { silu?: boolean } = {}): Value {
    if (g.target === 'cuda') return this.forwardCuda(g, x, options.silu === true);
    const y = op.groupNorm(g, x, this.w(g, 'weight'), this.w(g, 'bias'), this.groups, this.eps);
    return options.silu ? op.silu(g, y) : y;
  }

  /** com.microsoft GroupNorm: NHWC, fp32 statistics inside the kernel, optional fused SiLU. */
  private forwardCuda(g: GraphBuilder, x: Value, silu: boolean): Value {
    const nhwc = op.transpose(g, x, [0, 2, 3, 1]);
    const y = g.op(
      'GroupNorm',
      [nhwc, this.w(g, 'weight'), this.w(g, 'bias')],
      { epsilon: attr.float(this.eps), groups: attr.int(this.groups), activation: attr.int(silu ? 1 : 0), channels_last: attr.int(1) },
      'com.microsoft',
    );
    return op.transpose(g, y, [0, 3, 1, 2]);
  }
}

export class LayerNorm extends Module {
  constructor(
    readonly dim: number,
    readonly eps: number,
  ) {
    super();
    this.param('weight', [dim]);
    this.param('bias', [dim]);
  }

  forward(g: GraphBuilder, x: Value): Value {
    return op.layerNorm(g, x, this.w(g, 'weight'), this.w(g, 'bias'), this.eps);
  }
}
