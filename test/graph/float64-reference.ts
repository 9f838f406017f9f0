// Float64 re-implementations of the few torch layers the precision tests need (conv2d, GroupNorm, linear, SiLU,
// the SD1.5 time embedding and ResnetBlock2D), written from their definitions, to measure fp32 graphs against.
import { timestepFrequencies } from '../../src/graph/nn/embeddings.ts';
import type { WeightStore } from '../../src/graph/weights/weight-store.ts';

export interface F64Tensor {
  readonly dims: readonly number[];
  readonly data: Float64Array;
}

export async function weight64(store: WeightStore, name: string): Promise<Float64Array> {
  return Float64Array.from(await store.get(name).read());
}

/** 2-D convolution, stride 1, symmetric zero padding; x [N,Ci,H,W], w [Co,Ci,k,k]. */
export function conv2d(x: F64Tensor, w: Float64Array, bias: Float64Array, outChannels: number, kernel: number, pad: number): F64Tensor {
  const [n, ci, h, wd] = x.dims;
  const out = new Float64Array(n * outChannels * h * wd);
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < outChannels; o++) {
      for (let y = 0; y < h; y++) {
        for (let xx = 0; xx < wd; xx++) {
          let sum = bias[o];
          for (let c = 0; c < ci; c++) {
            for (let ky = 0; ky < kernel; ky++) {
              const sy = y + ky - pad;
              if (sy < 0 || sy >= h) continue;
              for (let kx = 0; kx < kernel; kx++) {
                const sx = xx + kx - pad;
                if (sx < 0 || sx >= wd) continue;
                sum += x.data[((b * ci + c) * h + sy) * wd + sx] * w[((o * ci + c) * kernel + ky) * kernel + kx];
              }
            }
          }
          out[((b * outChannels + o) * h + y) * wd + xx] = sum;
        }
      }
    }
  }
  return { dims: [n, outChannels, h, wd], data: out };
}

/** torch GroupNorm over [N,C,...]: statistics per (sample, group), biased variance, then the per-channel affine. */
export function groupNorm(x: F64Tensor, groups: number, eps: number, gamma: Float64Array, beta: Float64Array): F64Tensor {
  const [n, c] = x.dims;
  const spatial = x.data.length / (n * c);
  const perGroup = (c / groups) * spatial;
  const out = new Float64Array(x.data.length);
  for (let b = 0; b < n; b++) {
    for (let g = 0; g < groups; g++) {
      const start = (b * c + g * (c / groups)) * spatial;
      let mean = 0;
      for (let i = 0; i < perGroup; i++) mean += x.data[start + i];
      mean /= perGroup;
      let variance = 0;
      for (let i = 0; i < perGroup; i++) variance += (x.data[start + i] - mean) ** 2;
      variance /= perGroup;
      const inv = 1 / Math.sqrt(variance + eps);
      for (let i = 0; i < perGroup; i++) {
        const ch = g * (c / groups) + Math.floor(i / spatial);
        out[start + i] = (x.data[start + i] - mean) * inv * gamma[ch] + beta[ch];
      }
    }
  }
  return { dims: x.dims, data: out };
}

export function silu(x: F64Tensor): F64Tensor {
  return { dims: x.dims, data: x.data.map((v) => v / (1 + Math.exp(-v))) };
}

/** x [N,In] · Wᵀ + b with W [Out,In]. */
export function linear(x: F64Tensor, w: Float64Array, bias: Float64Array): F64Tensor {
  const [n, inF] = x.dims;
  const outF = bias.length;
  const out = new Float64Array(n * outF);
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < outF; o++) {
      let sum = bias[o];
      for (let i = 0; i < inF; i++) sum += x.data[b * inF + i] * w[o * inF + i];
      out[b * outF + o] = sum;
    }
  }
  return { dims: [n, outF], data: out };
}

/** diffusers Timesteps(flip_sin_to_cos, shift) → TimestepEmbedding (linear_1, SiLU, linear_2) for one timestep per sample. */
export async function timeEmbedding(store: WeightStore, timesteps: readonly number[], channels: number, flipSinToCos: boolean, shift: number): Promise<F64Tensor> {
  const freqs = timestepFrequencies(channels, shift);
  const half = channels / 2;
  const proj = new Float64Array(timesteps.length * channels);
  timesteps.forEach((t, b) => {
    for (let i = 0; i < half; i++) {
      const [first, second] = flipSinToCos ? [Math.cos(t * freqs[i]), Math.sin(t * freqs[i])] : [Math.sin(t * freqs[i]), Math.cos(t * freqs[i])];
      proj[b * channels + i] = first;
      proj[b * channels + half + i] = second;
    }
  });
  const h = linear({ dims: [timesteps.length, channels], data: proj }, await weight64(store, 'time_embedding.linear_1.weight'), await weight64(store, 'time_embedding.linear_1.bias'));
  return linear(silu(h), await weight64(store, 'time_embedding.linear_2.weight'), await weight64(store, 'time_embedding.linear_2.bias'));
}

/** diffusers ResnetBlock2D with equal in/out channels (no shortcut conv), output scale 1; temb [N,T]. */
export async function resnetBlock(store: WeightStore, prefix: string, x: F64Tensor, temb: F64Tensor, groups: number, eps: number): Promise<F64Tensor> {
  const w = (name: string) => weight64(store, `${prefix}.${name}`);
  const c = x.dims[1];
  let h = conv2d(silu(groupNorm(x, groups, eps, await w('norm1.weight'), await w('norm1.bias'))), await w('conv1.weight'), await w('conv1.bias'), c, 3, 1);
  const t = linear(silu(temb), await w('time_emb_proj.weight'), await w('time_emb_proj.bias'));
  const spatial = h.data.length / (h.dims[0] * c);
  h = { dims: h.dims, data: h.data.map((v, i) => v + t.data[Math.floor(i / (c * spatial)) * c + (Math.floor(i / spatial) % c)]) };
  h = conv2d(silu(groupNorm(h, groups, eps, await w('norm2.weight'), await w('norm2.bias'))), await w('conv2.weight'), await w('conv2.bias'), c, 3, 1);
  return { dims: x.dims, data: x.data.map((v, i) => v + h.data[i]) };
}

/** Largest |expected − actual| over elements [from, to). */
export function maxAbsError(expected: Float64Array, actual: ArrayLike<number>, from = 0, to = expected.length): number {
  let max = 0;
  for (let i = from; i < to; i++) {
    const d = Math.abs(expected[i] - actual[i]);
    if (!(d <= max)) max = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return max;
}
