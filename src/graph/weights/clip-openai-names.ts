// Maps OpenAI CLIP text-tower keys (transformer.resblocks.N.attn.in_proj_weight, ln_final, text_projection …)
// to HF CLIPTextModel names, splitting the fused in_proj into q/k/v and transposing text_projection. Lazy.
import { MemeError } from '../../errors.ts';
import { type WeightEntry, WeightStore } from './weight-store.ts';

export function isOpenaiClipLayout(store: WeightStore): boolean {
  return store.has('transformer.resblocks.0.attn.in_proj_weight');
}

/** Rows [part·n, (part+1)·n) of a fused [3n, …] tensor, read on demand. */
function rowSlice(entry: WeightEntry, part: number): WeightEntry {
  const rows = entry.shape[0] / 3;
  const rowSize = entry.shape.slice(1).reduce((a, b) => a * b, 1);
  return {
    shape: [rows, ...entry.shape.slice(1)],
    dtype: entry.dtype,
    read: async () => (await entry.read()).slice(part * rows * rowSize, (part + 1) * rows * rowSize),
  };
}

function transposed(entry: WeightEntry): WeightEntry {
  const [r, c] = entry.shape;
  return {
    shape: [c, r],
    dtype: entry.dtype,
    read: async () => {
      const src = await entry.read();
      const out = new Float32Array(src.length);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = src[i * c + j];
      return out;
    },
  };
}

const LAYER_PARTS: Record<string, string> = {
  'ln_1.weight': 'layer_norm1.weight',
  'ln_1.bias': 'layer_norm1.bias',
  'ln_2.weight': 'layer_norm2.weight',
  'ln_2.bias': 'layer_norm2.bias',
  'attn.out_proj.weight': 'self_attn.out_proj.weight',
  'attn.out_proj.bias': 'self_attn.out_proj.bias',
  'mlp.c_fc.weight': 'mlp.fc1.weight',
  'mlp.c_fc.bias': 'mlp.fc1.bias',
  'mlp.c_proj.weight': 'mlp.fc2.weight',
  'mlp.c_proj.bias': 'mlp.fc2.bias',
};

const TOP: Record<string, string> = {
  'token_embedding.weight': 'text_model.embeddings.token_embedding.weight',
  positional_embedding: 'text_model.embeddings.position_embedding.weight',
  'ln_final.weight': 'text_model.final_layer_norm.weight',
  'ln_final.bias': 'text_model.final_layer_norm.bias',
};

/** A store with HF names; unknown keys are kept under their own names so binding reports them. */
export function convertOpenaiClipNames(store: WeightStore): WeightStore {
  const out = new Map<string, WeightEntry>();
  const put = (name: string, entry: WeightEntry) => {
    if (out.has(name)) throw new MemeError('BAD_WEIGHTS', `two OpenAI CLIP keys map to '${name}'`, { name });
    out.set(name, entry);
  };
  for (const [name, entry] of store.entries) {
    const m = /^transformer\.resblocks\.(\d+)\.(.+)$/.exec(name);
    if (m) {
      const prefix = `text_model.encoder.layers.${m[1]}.`;
      if (m[2] === 'attn.in_proj_weight' || m[2] === 'attn.in_proj_bias') {
        const kind = m[2].endsWith('weight') ? 'weight' : 'bias';
        ['q', 'k', 'v'].forEach((p, i) => {
          put(`${prefix}self_attn.${p}_proj.${kind}`, rowSlice(entry, i));
        });
      } else put(LAYER_PARTS[m[2]] ? prefix + LAYER_PARTS[m[2]] : name, entry);
      continue;
    }
    if (name === 'text_projection') put('text_projection.weight', transposed(entry));
    else put(TOP[name] ?? name, entry);
  }
  return new WeightStore(out, []).withFilesOf(store);
}
