// The one place where each compile target's choices live: compute float type, fused ops, where fp16 graphs take
// statistics in fp32, and the operator table a target is checked against. Modules ask `g.profile`; nothing else
// compares target names. A target is named after the execution provider that runs it.
import { type OpTable, WEBGPU_OPS } from './webgpu-ops.ts';

/**
 * cpu: fp32, opset ops plus com.microsoft MultiHeadAttention; cuda: fp16 + com.microsoft fused ops; webgpu: fp16 +
 * the ops ORT's WebGPU EP has.
 */
export type Target = 'cpu' | 'cuda' | 'webgpu';
export type FloatType = 'float32' | 'float16';

export const TARGETS: readonly Target[] = ['cpu', 'cuda', 'webgpu'];

export interface TargetProfile {
  readonly target: Target;
  /** element type weights and activations use unless a build asks otherwise */
  readonly floatType: FloatType;
  /** attention without a mask as com.microsoft MultiHeadAttention (the EP's fused kernel) */
  readonly fusedAttention: boolean;
  /** GEGLU's gate: com.microsoft BiasSplitGelu (bias + split + gelu in one kernel), ONNX Gelu-20, or erf written out */
  readonly gegluGate: 'bias-split-gelu' | 'gelu' | 'erf';
  /**
   * fp16 graphs cast to fp32 around LayerNorm and softmax, for EPs whose fp16 kernels are not known to accumulate in
   * fp32 (ORT's CUDA kernels do). GroupNorm's statistics are fp32 on every target (nn/layers.ts).
   */
  readonly fp32NormsAndSoftmax: boolean;
  /** ops the target's EP runs (target-check.ts refuses any other node: it would run on the CPU); null: any op */
  readonly ops: OpTable | null;
}

/*
 * GroupNorm is written out as two passes (mean, then mean of squared deviations) on every target. No fused kernel
 * we could use is accurate when a group is near-constant (variance below eps, as after conv_in on the zero latent
 * of the CFG uncond half): ORT's CPU GroupNormalization-21 and the CUDA contrib GroupNorm (TensorRT's plugin:
 * sumSq·invHWC − mean²) both take Var = E[x²] − E[x]² in one pass; the WebGPU EP has no GroupNorm kernel.
 * test/graph/group-norm-precision.test.ts measures the difference.
 */
const PROFILES: Record<Target, TargetProfile> = {
  // ORT's CPU MultiHeadAttention runs as a flash attention (tiles of the score matrix, never the whole [B·H, S, L]
  // scores): at SD1.5's 64² level (4096 tokens) that saves a 1 GiB score tensor per call and a third of the UNet
  // step (bench:graph). Its result stays within the module goldens' 1e-4.
  cpu: { target: 'cpu', floatType: 'float32', fusedAttention: true, gegluGate: 'erf', fp32NormsAndSoftmax: false, ops: null },
  cuda: { target: 'cuda', floatType: 'float16', fusedAttention: true, gegluGate: 'bias-split-gelu', fp32NormsAndSoftmax: false, ops: null },
  // WebGPU's fp16 kernels are not documented to accumulate in fp32, so norms and softmax get casts around them.
  webgpu: { target: 'webgpu', floatType: 'float16', fusedAttention: true, gegluGate: 'gelu', fp32NormsAndSoftmax: true, ops: WEBGPU_OPS },
};

export function targetProfile(target: Target): TargetProfile {
  return PROFILES[target];
}

export function isTarget(name: string): name is Target {
  return (TARGETS as readonly string[]).includes(name);
}
