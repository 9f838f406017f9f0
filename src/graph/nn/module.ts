// The Module tree: child names are weight-name segments, so `down_blocks.0.resnets.1.conv1.weight` is a path in
// the tree. Modules declare parameters with shapes; bind.ts attaches a state dict. No graph ops live here.
import type { FloatType, GraphBuilder, Value } from '../onnx/graph-builder.ts';
import type { WeightEntry } from '../weights/weight-store.ts';

interface ParamSlot {
  readonly shape: readonly number[];
  entry?: WeightEntry;
}

export class Module {
  private parentModule?: Module;
  private localName = '';
  private readonly childMap = new Map<string, Module>();
  private readonly paramMap = new Map<string, ParamSlot>();

  /** Adds a child under `name` (a weight-name segment) and returns it. */
  protected child<M extends Module>(name: string, module: M): M {
    if (this.childMap.has(name) || this.paramMap.has(name)) throw new Error(`duplicate child '${name}' in ${this.path || '<root>'}`);
    module.parentModule = this;
    module.localName = name;
    this.childMap.set(name, module);
    return module;
  }

  /** Declares a parameter with its expected shape. */
  protected param(name: string, shape: readonly number[]): void {
    if (this.childMap.has(name) || this.paramMap.has(name)) throw new Error(`duplicate parameter '${name}' in ${this.path || '<root>'}`);
    this.paramMap.set(name, { shape });
  }

  /** Full dotted path from the root ('' for the root). */
  get path(): string {
    if (!this.parentModule) return '';
    const parent = this.parentModule.path;
    return parent ? `${parent}.${this.localName}` : this.localName;
  }

  get children(): ReadonlyMap<string, Module> {
    return this.childMap;
  }

  /** Every parameter slot under this module, keyed by its full weight name. */
  *namedParams(): Generator<[string, ParamSlot]> {
    const prefix = this.path ? `${this.path}.` : '';
    for (const [name, slot] of this.paramMap) yield [`${prefix}${name}`, slot];
    for (const child of this.childMap.values()) yield* child.namedParams();
  }

  hasParam(name: string): boolean {
    return this.paramMap.has(name);
  }

  /** The bound weight as a graph value (in the graph's float type unless `elem`); throws if bind() has not attached it. */
  protected w(g: GraphBuilder, name: string, elem?: FloatType): Value {
    const slot = this.paramMap.get(name);
    const full = this.path ? `${this.path}.${name}` : name;
    if (!slot?.entry) throw new Error(`weight '${full}' is not bound`);
    return g.weight(full, slot.entry, elem);
  }
}

/** An indexed container, as torch's ModuleList: children are named 0, 1, 2 ... */
export class ModuleList<M extends Module> extends Module {
  readonly items: M[];

  constructor(items: readonly M[]) {
    super();
    this.items = items.map((m, i) => this.child(String(i), m));
  }
}

/** A parameterless placeholder (dropout, activation) that keeps ModuleList indices aligned with the weights. */
export class NoParams extends Module {}
