// The operators ONNX Runtime's WebGPU execution provider runs, as far as our graphs use them (target-check.ts
// refuses a webgpu-target graph with any node outside them: such a node would run on the CPU EP).
//
// Where the table comes from: the EP's kernel registrations (onnxruntime/core/providers/webgpu/
// webgpu_execution_provider.cc, onnxruntime/contrib_ops/webgpu/webgpu_contrib_kernels.cc) and the JSEP list
// (js/web/docs/webgpu-operators.md), then each row checked against the EP bundled in onnxruntime-node 1.30.0:
// scripts/device/webgpu-tiny-check.ts opens every webgpu-target graph of the tiny goldens on a real adapter with
// CPU fallback disabled (ORT refuses the session if any node lands on the CPU): Mesa's lavapipe here, 2026-12.
// Rows left out on purpose: BiasSplitGelu (registered, but failed at run time for hidden sizes outside its own
// table), GroupNormalization (no WebGPU kernel), ArgMax over int64 token ids (CLIP's pooled output), SpaceToDepth
// (Real-ESRGAN's pixel-unshuffle becomes a one-hot strided Conv there).

/** 'OpType' for the default domain, 'domain/OpType' otherwise. */
export type OpTable = ReadonlySet<string>;

export const opKey = (domain: string, opType: string): string => (domain ? `${domain}/${opType}` : opType);

export const WEBGPU_OPS: OpTable = new Set([
  // element-wise
  'Add', 'Sub', 'Mul', 'Div', 'Sqrt', 'Reciprocal', 'Exp', 'Sin', 'Cos', 'Erf', 'Sigmoid', 'Relu', 'LeakyRelu', 'Gelu', 'Clip', 'Cast',
  // linear algebra, convolution, normalisation, reduction
  'MatMul', 'Gemm', 'Conv', 'LayerNormalization', 'InstanceNormalization', 'ReduceMean', 'Softmax',
  // data movement
  'Reshape', 'Transpose', 'Concat', 'Split', 'Slice', 'Unsqueeze', 'Squeeze', 'Expand', 'Resize', 'Gather', 'Identity', 'Shape',
  // fused attention (com.microsoft)
  opKey('com.microsoft', 'MultiHeadAttention'),
]);
