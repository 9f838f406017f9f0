// Binds a WeightStore to a Module tree 1:1 and reports every missing, unused or mis-shaped tensor by name
// in one coded error, so a renamed key is found in one run. It never guesses a mapping.
import { MemeError } from '../../errors.ts';
import type { WeightStore } from '../weights/weight-store.ts';
import type { Module } from './module.ts';

interface BindOptions {
  /** weights the reference model holds but never uses in forward (bound to nothing, not an error) */
  readonly knownUnused?: (name: string) => boolean;
  /** model name for messages */
  readonly modelName?: string;
}

interface BindReport {
  readonly missing: string[];
  readonly unused: string[];
  readonly misshaped: string[];
}

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Checks without attaching; returns every problem found. */
function checkBinding(root: Module, store: WeightStore, options: BindOptions = {}): BindReport {
  const missing: string[] = [];
  const misshaped: string[] = [];
  const expected = new Set<string>();
  for (const [name, slot] of root.namedParams()) {
    expected.add(name);
    const entry = store.entries.get(name);
    if (!entry) {
      missing.push(`${name} ${fmt(slot.shape)}`);
      continue;
    }
    const same = entry.shape.length === slot.shape.length && entry.shape.every((d, i) => d === slot.shape[i]);
    if (!same) misshaped.push(`${name} is ${fmt(entry.shape)}, the model expects ${fmt(slot.shape)}`);
  }
  const unused = store.names().filter((n) => !expected.has(n) && !options.knownUnused?.(n));
  return { missing, unused, misshaped };
}

function listed(label: string, items: readonly string[], max = 12): string {
  if (!items.length) return '';
  const head = items.slice(0, max).join('; ');
  return `${items.length} ${label}: ${head}${items.length > max ? `; … and ${items.length - max} more` : ''}`;
}

/** Attaches every weight to its slot, or throws BAD_WEIGHTS naming each problem tensor. */
export function bindWeights(root: Module, store: WeightStore, options: BindOptions = {}): void {
  const report = checkBinding(root, store, options);
  const parts = [listed('missing', report.missing), listed('unexpected (not in the model)', report.unused), listed('with the wrong shape', report.misshaped)].filter(Boolean);
  if (parts.length) {
    const model = options.modelName ?? 'the model';
    throw new MemeError('BAD_WEIGHTS', `weights do not fit ${model}: ${parts.join(' | ')}`, { ...report });
  }
  for (const [name, slot] of root.namedParams()) slot.entry = store.get(name);
}
