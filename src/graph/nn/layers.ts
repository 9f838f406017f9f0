// Leaf layers with torch's parameter names and semantics: Linear, Conv2d, GroupNorm, LayerNorm.
// They emit graph ops for the builder's target; composite blocks live in the other nn/ files.
import type { GraphBuilder, Value } from '../onnx/graph-builder.ts';
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

  /**
   * GroupNorm over [N,C,...] (any rank ≥ 3) with torch's semantics; `silu` applies the activation that follows.
   * Two passes in fp32 on every target: mean, then the mean of squared deviations. The one-pass E[x²] − E[x]² of the
   * fused kernels cancels almost every digit when a group is near-constant (targets.ts says where that happens).
   */
  forward(g: GraphBuilder, x: Value, options: { silu?: boolean } = {}): Value {
    // Scoped so a profile can add up GroupNorm's nodes whatever their op types (bench/op-profile.ts).
    const y = g.scoped('group_norm', () => this.normalise(g, x));
    return options.silu ? op.silu(g, y) : y;
  }

  private normalise(g: GraphBuilder, x: Value): Value {
    const half = g.floatType === 'float16';
    const grouped = op.reshape(g, half ? op.cast(g, x, 'float32') : x, [0, this.groups, -1]);
    const mean = op.reduceMean(g, grouped, [2]);
    const centred = op.sub(g, grouped, mean);
    const variance = op.reduceMean(g, op.mul(g, centred, centred), [2]);
    const eps = g.constant('float32', [], Float32Array.of(this.eps), 'eps');
    let y = op.mul(g, centred, op.reciprocal(g, op.sqrt(g, op.add(g, variance, eps))));
    if (half) y = op.cast(g, y, 'float16');
    // Per-channel affine on the [N, C, rest] view, then back to x's own shape.
    const perChannel = (name: string) => op.unsqueeze(g, this.w(g, name), [1]);
    y = op.add(g, op.mul(g, op.reshape(g, y, [0, this.channels, -1]), perChannel('weight')), perChannel('bias'));
    return op.reshape(g, y, op.shape(g, x));
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
    if (g.floatType === 'float16' && g.profile.fp32NormsAndSoftmax) {
      const y = op.layerNorm(g, op.cast(g, x, 'float32'), this.w(g, 'weight', 'float32'), this.w(g, 'bias', 'float32'), this.eps);
      return op.cast(g, y, 'float16');
    }
    return op.layerNorm(g, x, this.w(g, 'weight'), this.w(g, 'bias'), this.eps);
  }
}
