// Sinusoidal timestep features (diffusers `Timesteps`) and the MLP that embeds them (`TimestepEmbedding`).
// The frequency table is computed in float32 steps, as torch does, so large timesteps keep their phase.
import type { GraphBuilder, Value } from '../onnx/graph-builder.ts';
import * as op from '../onnx/ops.ts';
import { Linear } from './layers.ts';
import { Module } from './module.ts';

/** exp(−ln(maxPeriod)·i / (half − shift)) for i < half, rounded through float32 at each torch step. */
export function timestepFrequencies(channels: number, shift: number, maxPeriod = 10000): Float32Array {
  const half = Math.floor(channels / 2);
  const out = new Float32Array(half);
  const logPeriod = Math.fround(-Math.log(maxPeriod));
  for (let i = 0; i < half; i++) {
    const exponent = Math.fround(Math.fround(logPeriod * i) / (half - shift));
    out[i] = Math.fround(Math.exp(exponent));
  }
  return out;
}

export class Timesteps extends Module {
  constructor(
    readonly channels: number,
    readonly flipSinToCos: boolean,
    readonly freqShift: number,
  ) {
    super();
  }

  /** timesteps [B] (float32) → [B, channels]: [cos, sin] when flipped, else [sin, cos]. */
  forward(g: GraphBuilder, timesteps: Value): Value {
    const freqs = g.constant('float32', [1, this.channels / 2], timestepFrequencies(this.channels, this.freqShift), 'freqs');
    const args = op.mul(g, op.unsqueeze(g, timesteps, [1]), freqs);
    const s = op.sin(g, args);
    const c = op.cos(g, args);
    const emb = op.concat(g, this.flipSinToCos ? [c, s] : [s, c], 1);
    return g.floatType === 'float16' ? op.cast(g, emb, 'float16') : emb;
  }
}

export class TimestepEmbedding extends Module {
  readonly linear1: Linear;
  readonly linear2: Linear;

  constructor(inChannels: number, embedDim: number) {
    super();
    this.linear1 = this.child('linear_1', new Linear(inChannels, embedDim));
    this.linear2 = this.child('linear_2', new Linear(embedDim, embedDim));
  }

  forward(g: GraphBuilder, x: Value): Value {
    return this.linear2.forward(g, op.silu(g, this.linear1.forward(g, x)));
  }
}
