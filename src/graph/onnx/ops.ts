// Typed helpers for the standard ONNX ops the models use (default domain, opset 21). Each emits one node or a
// short fixed pattern; nothing here reads weights or decides on a target.
import { type GraphBuilder, type Value, attr } from './graph-builder.ts';

export const add = (g: GraphBuilder, a: Value, b: Value): Value => g.op('Add', [a, b]);
export const sub = (g: GraphBuilder, a: Value, b: Value): Value => g.op('Sub', [a, b]);
export const mul = (g: GraphBuilder, a: Value, b: Value): Value => g.op('Mul', [a, b]);
export const div = (g: GraphBuilder, a: Value, b: Value): Value => g.op('Div', [a, b]);
export const matmul = (g: GraphBuilder, a: Value, b: Value): Value => g.op('MatMul', [a, b]);
export const sigmoid = (g: GraphBuilder, x: Value): Value => g.op('Sigmoid', [x]);
export const exp = (g: GraphBuilder, x: Value): Value => g.op('Exp', [x]);
export const sin = (g: GraphBuilder, x: Value): Value => g.op('Sin', [x]);
export const cos = (g: GraphBuilder, x: Value): Value => g.op('Cos', [x]);
export const erf = (g: GraphBuilder, x: Value): Value => g.op('Erf', [x]);
export const sqrt = (g: GraphBuilder, x: Value): Value => g.op('Sqrt', [x]);
export const reciprocal = (g: GraphBuilder, x: Value): Value => g.op('Reciprocal', [x]);
export const shape = (g: GraphBuilder, x: Value, start?: number, end?: number): Value => {
  const attrs: Record<string, ReturnType<typeof attr.int>> = {};
  if (start !== undefined) attrs.start = attr.int(start);
  if (end !== undefined) attrs.end = attr.int(end);
  return g.op('Shape', [x], attrs);
};
export const cast = (g: GraphBuilder, x: Value, to: 'float32' | 'float16' | 'int64'): Value =>
  g.op('Cast', [x], { to: attr.int({ float32: 1, float16: 10, int64: 7 }[to]) });

/** x · sigmoid(x), written out so every runtime has it. */
export function silu(g: GraphBuilder, x: Value): Value {
  return mul(g, x, sigmoid(g, x));
}

/** Exact (erf) GELU: 0.5 · x · (1 + erf(x / √2)). */
export function gelu(g: GraphBuilder, x: Value): Value {
  const inner = erf(g, div(g, x, g.scalar(Math.SQRT2)));
  return mul(g, mul(g, x, add(g, inner, g.scalar(1))), g.scalar(0.5));
}

/** CLIP's quick GELU: x · sigmoid(1.702 x). */
export function quickGelu(g: GraphBuilder, x: Value): Value {
  return mul(g, x, sigmoid(g, mul(g, x, g.scalar(1.702))));
}

export function reshape(g: GraphBuilder, x: Value, dims: readonly number[] | Value): Value {
  return g.op('Reshape', [x, Array.isArray(dims) ? g.ints(dims) : (dims as Value)]);
}

export function transpose(g: GraphBuilder, x: Value, perm: readonly number[]): Value {
  return g.op('Transpose', [x], { perm: attr.ints(perm) });
}

export function concat(g: GraphBuilder, values: readonly Value[], axis: number): Value {
  return g.op('Concat', values, { axis: attr.int(axis) });
}

/** Splits `x` into `parts` equal chunks along `axis`. */
export function chunk(g: GraphBuilder, x: Value, parts: number, axis: number): Value[] {
  return g.node('Split', [x], { axis: attr.int(axis), num_outputs: attr.int(parts) }, { outputs: parts });
}

export function slice(g: GraphBuilder, x: Value, starts: readonly number[] | Value, ends: readonly number[] | Value, axes: readonly number[]): Value {
  const s = Array.isArray(starts) ? g.ints(starts) : (starts as Value);
  const e = Array.isArray(ends) ? g.ints(ends) : (ends as Value);
  return g.op('Slice', [x, s, e, g.ints(axes)]);
}

export function unsqueeze(g: GraphBuilder, x: Value, axes: readonly number[]): Value {
  return g.op('Unsqueeze', [x, g.ints(axes)]);
}

export function softmax(g: GraphBuilder, x: Value, axis = -1): Value {
  return g.op('Softmax', [x], { axis: attr.int(axis) });
}

export interface ConvOptions {
  readonly stride?: number;
  /** [top, left, bottom, right] as ONNX wants: begins then ends */
  readonly pads?: readonly [number, number, number, number];
}

export function conv(g: GraphBuilder, x: Value, weight: Value, bias: Value | null, options: ConvOptions = {}): Value {
  const stride = options.stride ?? 1;
  const attrs = { strides: attr.ints([stride, stride]), pads: attr.ints(options.pads ?? [0, 0, 0, 0]) };
  return g.op('Conv', bias ? [x, weight, bias] : [x, weight], attrs);
}

export function layerNorm(g: GraphBuilder, x: Value, scale: Value, bias: Value, eps: number): Value {
  return g.op('LayerNormalization', [x, scale, bias], { axis: attr.int(-1), epsilon: attr.float(eps) });
}

/** Mean over `axes`, keeping them (ReduceMean-18 takes the axes as an input). */
export function reduceMean(g: GraphBuilder, x: Value, axes: readonly number[]): Value {
  return g.op('ReduceMean', [x, g.ints(axes)], { keepdims: attr.int(1) });
}

/** Nearest-neighbour resize matching torch's F.interpolate(mode='nearest'), to a size given as a [N,C,H,W] shape. */
export function resizeNearestToShape(g: GraphBuilder, x: Value, sizes: Value): Value {
  return g.op('Resize', [x, null, null, sizes], {
    mode: attr.string('nearest'),
    coordinate_transformation_mode: attr.string('asymmetric'),
    nearest_mode: attr.string('floor'),
  });
}

/** Nearest ×factor upsampling (torch scale_factor=factor). */
export function resizeNearestScale(g: GraphBuilder, x: Value, factor: number): Value {
  const scales = g.constant('float32', [4], Float32Array.of(1, 1, factor, factor), 'scales');
  return g.op('Resize', [x, null, scales], {
    mode: attr.string('nearest'),
    coordinate_transformation_mode: attr.string('asymmetric'),
    nearest_mode: attr.string('floor'),
  });
}

export function clip(g: GraphBuilder, x: Value, min: number, max: number): Value {
  return g.op('Clip', [x, g.scalar(min), g.scalar(max)]);
}
