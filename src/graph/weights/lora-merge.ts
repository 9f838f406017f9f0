// Merges a LoRA into base weights: W' = W + scale · (alpha / rank) · up · down, for kohya names
// (lora_unet_down_blocks_0_…_to_q.lora_down.weight / .alpha) and diffusers/peft names (unet.….to_q.lora_A.weight).
import { MemeError } from '../../errors.ts';
import { type WeightEntry, WeightStore } from './weight-store.ts';

type LoraTarget = 'unet' | 'text_encoder';

interface LoraPair {
  down?: WeightEntry;
  up?: WeightEntry;
  alpha?: WeightEntry;
}

const KOHYA_PREFIX: Record<LoraTarget, string> = { unet: 'lora_unet_', text_encoder: 'lora_te_' };

/** Splits a LoRA key into (module id, role), or null when it belongs to another target. */
function parseKey(key: string, target: LoraTarget): { module: string; role: keyof LoraPair; kohya: boolean } | null {
  const kohya = /^(lora_(?:unet|te)_[^.]+)\.(lora_down\.weight|lora_up\.weight|alpha)$/.exec(key);
  if (kohya) {
    if (!kohya[1].startsWith(KOHYA_PREFIX[target])) return null;
    const role = kohya[2] === 'alpha' ? 'alpha' : kohya[2].startsWith('lora_down') ? 'down' : 'up';
    return { module: kohya[1].slice(KOHYA_PREFIX[target].length), role, kohya: true };
  }
  const peft = /^(unet|text_encoder)\.(.+)\.(lora_A\.weight|lora_B\.weight|lora\.down\.weight|lora\.up\.weight|down\.weight|up\.weight|alpha)$/.exec(key);
  if (peft) {
    if (peft[1] !== target) return null;
    const role = peft[3] === 'alpha' ? 'alpha' : /lora_A|down/.test(peft[3]) ? 'down' : 'up';
    // old attention-processor keys: …attn1.processor.to_q_lora → …attn1.to_q
    const module = peft[2].replace(/\.lora$/, '').replace(/\.processor\.(to_q|to_k|to_v|to_out)_lora$/, (_m, p: string) => `.${p === 'to_out' ? 'to_out.0' : p}`);
    return { module, role, kohya: false };
  }
  return null;
}

/**
 * Keys no target reads (LyCORIS LoHa/LoKr factors, DoRA magnitudes, …): merging the rest alone would not be the
 * LoRA the file describes, so callers refuse a file that has any.
 */
export function unreadLoraKeys(lora: WeightStore): string[] {
  return [...lora.names()].filter((key) => !parseKey(key, 'unet') && !parseKey(key, 'text_encoder'));
}

/** delta = up[out, r] · down[r, in·k·k], scaled; conv LoRAs keep the kernel in `down`. */
function loraDelta(up: Float32Array, upShape: readonly number[], down: Float32Array, downShape: readonly number[], factor: number): Float32Array {
  const out = upShape[0];
  const rank = downShape[0];
  if (upShape[1] !== rank) throw new MemeError('BAD_WEIGHTS', `LoRA up ${JSON.stringify(upShape)} does not match down ${JSON.stringify(downShape)}`);
  const inner = down.length / rank;
  const delta = new Float32Array(out * inner);
  for (let o = 0; o < out; o++) {
    for (let r = 0; r < rank; r++) {
      const u = up[o * rank + r] * factor;
      if (u === 0) continue;
      for (let i = 0; i < inner; i++) delta[o * inner + i] += u * down[r * inner + i];
    }
  }
  return delta;
}

interface LoraMergeResult {
  readonly store: WeightStore;
  /** base weight names that received a delta */
  readonly merged: string[];
}

/** Returns `base` with every LoRA module for `target` merged in; a LoRA module with no base weight is an error. */
export function mergeLora(base: WeightStore, lora: WeightStore, target: LoraTarget, scale = 1): LoraMergeResult {
  const pairs = new Map<string, LoraPair & { kohya: boolean }>();
  for (const [key, entry] of lora.entries) {
    const parsed = parseKey(key, target);
    if (!parsed) continue;
    const pair = pairs.get(parsed.module) ?? { kohya: parsed.kohya };
    pair[parsed.role] = entry;
    pairs.set(parsed.module, pair);
  }
  // kohya flattens dots to underscores, so look base names up in the same flattened form
  const flat = new Map<string, string>();
  for (const name of base.names()) if (name.endsWith('.weight')) flat.set(name.slice(0, -'.weight'.length).replace(/\./g, '_'), name);
  const entries = new Map(base.entries);
  const merged: string[] = [];
  const unmatched: string[] = [];
  for (const [module, pair] of pairs) {
    const weightName = pair.kohya ? flat.get(module) : base.has(`${module}.weight`) ? `${module}.weight` : undefined;
    if (!weightName || !pair.down || !pair.up) {
      unmatched.push(module);
      continue;
    }
    const baseEntry = base.get(weightName);
    const { down, up, alpha } = pair;
    const rank = down.shape[0];
    entries.set(weightName, {
      shape: baseEntry.shape,
      dtype: 'F32',
      read: async () => {
        const a = alpha ? (await alpha.read())[0] : rank;
        const delta = loraDelta(await up.read(), up.shape, await down.read(), down.shape, (scale * a) / rank);
        const w = Float32Array.from(await baseEntry.read());
        if (delta.length !== w.length) throw new MemeError('BAD_WEIGHTS', `LoRA for '${weightName}' has ${delta.length} values, the weight ${w.length}`, { name: weightName });
        for (let i = 0; i < w.length; i++) w[i] += delta[i];
        return w;
      },
    });
    merged.push(weightName);
  }
  if (unmatched.length) throw new MemeError('BAD_WEIGHTS', `LoRA modules with no matching ${target} weight (or missing up/down): ${unmatched.slice(0, 12).join(', ')}`, { unmatched });
  return { store: new WeightStore(entries).withFilesOf(base), merged };
}
