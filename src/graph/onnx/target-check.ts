// The build check of a target with an operator table (webgpu): lists every node its EP has no kernel for and
// refuses to emit the graph, so nothing falls back to the CPU EP unnoticed. Shape arithmetic ORT folds is exempt.
import { MemeError } from '../../errors.ts';
import type { GraphBuilder, NodeSpec } from './graph-builder.ts';
import { opKey } from './webgpu-ops.ts';

/**
 * Nodes ORT computes once at session creation: with every input size bound (runtime.ts binds them for WebGPU),
 * Shape outputs are constants, and so is any node fed only by constants. They never run on a device.
 */
function foldedNodes(g: GraphBuilder): Set<NodeSpec> {
  const constant = new Set<string>([...g.initializers.keys(), '']);
  const folded = new Set<NodeSpec>();
  for (const node of g.nodes) {
    if (node.opType === 'Shape' || node.inputs.every((i) => constant.has(i))) {
      folded.add(node);
      for (const o of node.outputs) constant.add(o);
    }
  }
  return folded;
}

/** Whether the target's EP has a kernel for `opType` (models leave out what it lacks, e.g. CLIP's pooled output). */
export function targetRuns(g: GraphBuilder, opType: string, domain = ''): boolean {
  return !g.profile.ops || g.profile.ops.has(opKey(domain, opType));
}

/** Nodes of `g` its target's EP has no kernel for (empty for targets whose EP runs any op). */
export function nodesOffTarget(g: GraphBuilder): NodeSpec[] {
  const table = g.profile.ops;
  if (!table) return [];
  const folded = foldedNodes(g);
  return g.nodes.filter((n) => !folded.has(n) && !table.has(opKey(n.domain, n.opType)));
}

/** Refuses to emit a graph that would put any node on the CPU instead of the target's EP, naming each one. */
export function assertRunsOnTarget(g: GraphBuilder): void {
  const off = nodesOffTarget(g);
  if (!off.length) return;
  const listed = off.slice(0, 12).map((n) => `${n.domain ? `${n.domain}.` : ''}${n.opType} (${n.name})`);
  const more = off.length > 12 ? `, … and ${off.length - 12} more` : '';
  throw new MemeError('ENGINE_UNAVAILABLE', `${off.length} node(s) of this ${g.target} graph would run on the CPU (no ${g.target} kernel): ${listed.join(', ')}${more}`, { nodes: off.map((n) => n.name) });
}
