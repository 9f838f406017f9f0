// Accumulates an ONNX graph: inputs, outputs, nodes and initializers (weights referenced lazily by name).
// It knows nothing about files or protobuf; model-writer.ts turns a finished builder into bytes.
import type { WeightEntry } from '../weights/weight-store.ts';
import { type FloatType, type Target, type TargetProfile, targetProfile } from './targets.ts';

export type { FloatType, Target } from './targets.ts';
export type ElemType = FloatType | 'int64' | 'int32' | 'bool';

/** A named value in the graph. */
export interface Value {
  readonly name: string;
}

export type Attr =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string };

export const attr = {
  int: (value: number): Attr => ({ kind: 'int', value }),
  float: (value: number): Attr => ({ kind: 'float', value }),
  ints: (value: readonly number[]): Attr => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attr => ({ kind: 'floats', value }),
  string: (value: string): Attr => ({ kind: 'string', value }),
};

export interface NodeSpec {
  readonly opType: string;
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, Attr>>;
}

type HostData = Float32Array | BigInt64Array | Int32Array | Uint8Array;

export type InitializerSource =
  | { readonly kind: 'host'; readonly elem: ElemType; readonly dims: readonly number[]; readonly data: HostData }
  | { readonly kind: 'weight'; readonly elem: FloatType; readonly dims: readonly number[]; readonly entry: WeightEntry };

/** A symbolic or fixed dimension of a graph input/output. */
export type Dim = number | string;

export interface IoSpec {
  readonly name: string;
  readonly elem: ElemType;
  /** null: shape left to the runtime (debug taps) */
  readonly dims: readonly Dim[] | null;
}

export class GraphBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers = new Map<string, InitializerSource>();
  readonly inputs: IoSpec[] = [];
  readonly outputs: IoSpec[] = [];
  /** opset of the default domain; com.microsoft is imported at version 1 when used */
  readonly opset: number;
  /** element type weights are stored and computed in */
  readonly floatType: FloatType;
  readonly target: Target;
  /** what the target decides (fused ops, fp32 statistics); see targets.ts */
  readonly profile: TargetProfile;
  private counter = 0;
  private readonly scope: string[] = [];

  constructor(options: { opset?: number; floatType?: FloatType; target?: Target } = {}) {
    this.opset = options.opset ?? 21;
    this.target = options.target ?? 'cpu';
    this.profile = targetProfile(this.target);
    this.floatType = options.floatType ?? this.profile.floatType;
  }

  /** The non-default op domains the nodes use (com.microsoft for fused ops), read off the nodes themselves. */
  get usedDomains(): ReadonlySet<string> {
    return new Set(this.nodes.map((n) => n.domain).filter(Boolean));
  }

  /** Runs fn with `name` pushed on the node-name scope (only for readable node names). */
  scoped<T>(name: string, fn: () => T): T {
    this.scope.push(name);
    try {
      return fn();
    } finally {
      this.scope.pop();
    }
  }

  private fresh(hint: string): string {
    this.counter += 1;
    const prefix = this.scope.length ? `${this.scope.join('.')}/` : '';
    return `${prefix}${hint}_${this.counter}`;
  }

  input(name: string, elem: ElemType, dims: readonly Dim[]): Value {
    this.inputs.push({ name, elem, dims });
    return { name };
  }

  /** Marks `value` as a graph output called `name` (adds an Identity when the names differ). */
  output(value: Value, name: string, elem: ElemType, dims: readonly Dim[] | null): void {
    if (value.name !== name) this.nodes.push({ opType: 'Identity', domain: '', name: this.fresh('out'), inputs: [value.name], outputs: [name], attrs: {} });
    this.outputs.push({ name, elem, dims });
  }

  /** Emits one node; `null` inputs become empty (omitted optional) inputs. */
  node(opType: string, inputs: readonly (Value | null)[], attrs: Record<string, Attr> = {}, options: { outputs?: number; domain?: string } = {}): Value[] {
    const domain = options.domain ?? '';
    const name = this.fresh(opType);
    const outputs = Array.from({ length: options.outputs ?? 1 }, (_, i) => `${name}:${i}`);
    this.nodes.push({ opType, domain, name, inputs: inputs.map((v) => v?.name ?? ''), outputs, attrs });
    return outputs.map((o) => ({ name: o }));
  }

  /** A single-output node. */
  op(opType: string, inputs: readonly (Value | null)[], attrs: Record<string, Attr> = {}, domain = ''): Value {
    return this.node(opType, inputs, attrs, { domain })[0];
  }

  /** A weight used as-is, stored in the compute float type (or `elem`); the same name always yields the same initializer. */
  weight(name: string, entry: WeightEntry, elem: FloatType = this.floatType): Value {
    const known = this.initializers.get(name);
    if (known && known.elem !== elem) throw new Error(`weight '${name}' is used as both ${known.elem} and ${elem}`);
    if (!known) this.initializers.set(name, { kind: 'weight', elem, dims: entry.shape, entry });
    return { name };
  }

  /** A constant tensor held in memory; float data is stored in the builder's float type. */
  constant(elem: ElemType, dims: readonly number[], data: HostData, hint = 'const'): Value {
    const name = this.fresh(hint);
    this.initializers.set(name, { kind: 'host', elem, dims, data });
    return { name };
  }

  /** int64 vector constant (shapes, axes, pads). */
  ints(values: readonly number[]): Value {
    return this.constant('int64', [values.length], BigInt64Array.from(values.map((v) => BigInt(v))), 'ints');
  }

  /** A scalar in the compute float type. */
  scalar(value: number): Value {
    return this.constant(this.floatType, [], Float32Array.of(value), 'scalar');
  }

  floats(dims: readonly number[], data: Float32Array): Value {
    return this.constant(this.floatType, dims, data, 'floats');
  }
}
