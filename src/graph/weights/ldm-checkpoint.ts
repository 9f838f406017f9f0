// Single-file SD1.5 checkpoints (civitai style): maps the original ldm names — model.diffusion_model.*,
// first_stage_model.*, cond_stage_model.* — to diffusers/HF names, lazily. Unknown keys keep their name.
import { MemeError } from '../../errors.ts';
import { type WeightEntry, WeightStore } from './weight-store.ts';

type LdmPart = 'unet' | 'vae' | 'clip';

const PREFIX: Record<LdmPart, string> = { unet: 'model.diffusion_model.', vae: 'first_stage_model.', clip: 'cond_stage_model.transformer.' };

export function isLdmCheckpoint(store: WeightStore): boolean {
  return store.names().some((n) => n.startsWith(PREFIX.unet) || n.startsWith(PREFIX.vae));
}

const RESNET: Record<string, string> = { 'in_layers.0': 'norm1', 'in_layers.2': 'conv1', 'emb_layers.1': 'time_emb_proj', 'out_layers.0': 'norm2', 'out_layers.3': 'conv2', skip_connection: 'conv_shortcut' };

function resnetPart(rest: string): string {
  for (const [from, to] of Object.entries(RESNET)) if (rest.startsWith(`${from}.`)) return to + rest.slice(from.length);
  return rest;
}

/** One UNet key (without the prefix) → diffusers name; `layers` is layers_per_block. */
function ldmUnetName(key: string, layers: number): string {
  const top: Record<string, string> = { 'time_embed.0': 'time_embedding.linear_1', 'time_embed.2': 'time_embedding.linear_2', 'input_blocks.0.0': 'conv_in', 'out.0': 'conv_norm_out', 'out.2': 'conv_out' };
  for (const [from, to] of Object.entries(top)) if (key.startsWith(`${from}.`)) return to + key.slice(from.length);
  let m = /^input_blocks\.(\d+)\.(\d+)\.(.+)$/.exec(key);
  if (m) {
    const i = Number(m[1]) - 1;
    const block = Math.floor(i / (layers + 1));
    const layer = i % (layers + 1);
    if (layer === layers) return `down_blocks.${block}.downsamplers.0.conv.${m[3].replace(/^op\./, '')}`;
    return m[2] === '0' ? `down_blocks.${block}.resnets.${layer}.${resnetPart(m[3])}` : `down_blocks.${block}.attentions.${layer}.${m[3]}`;
  }
  m = /^middle_block\.(\d)\.(.+)$/.exec(key);
  if (m) return m[1] === '1' ? `mid_block.attentions.0.${m[2]}` : `mid_block.resnets.${m[1] === '0' ? 0 : 1}.${resnetPart(m[2])}`;
  m = /^output_blocks\.(\d+)\.(\d+)\.(.+)$/.exec(key);
  if (m) {
    const i = Number(m[1]);
    const block = Math.floor(i / (layers + 1));
    const layer = i % (layers + 1);
    if (m[3].startsWith('conv.')) return `up_blocks.${block}.upsamplers.0.${m[3]}`;
    return m[2] === '0' ? `up_blocks.${block}.resnets.${layer}.${resnetPart(m[3])}` : `up_blocks.${block}.attentions.${layer}.${m[3]}`;
  }
  return key;
}

const VAE_ATTN: Record<string, string> = { norm: 'group_norm', q: 'to_q', k: 'to_k', v: 'to_v', proj_out: 'to_out.0' };

/** One VAE key (without the prefix) → diffusers name; `levels` is len(block_out_channels). */
function ldmVaeName(key: string, levels: number): string {
  let m = /^(encoder|decoder)\.(down|up)\.(\d+)\.(block|downsample|upsample)\.(.+)$/.exec(key);
  if (m) {
    const coder = m[1];
    // the decoder's ldm `up` list runs from the lowest resolution index upward: reversed against diffusers
    const level = m[2] === 'up' ? levels - 1 - Number(m[3]) : Number(m[3]);
    const blocks = m[2] === 'up' ? 'up_blocks' : 'down_blocks';
    if (m[4] === 'block') return `${coder}.${blocks}.${level}.resnets.${m[5].replace(/^(\d+)\.nin_shortcut/, '$1.conv_shortcut')}`;
    return `${coder}.${blocks}.${level}.${m[4]}rs.0.${m[5]}`;
  }
  m = /^(encoder|decoder)\.mid\.(block_1|block_2|attn_1)\.(.+)$/.exec(key);
  if (m) {
    if (m[2] !== 'attn_1') return `${m[1]}.mid_block.resnets.${m[2] === 'block_1' ? 0 : 1}.${m[3].replace(/^nin_shortcut/, 'conv_shortcut')}`;
    const [part, ...rest] = m[3].split('.');
    return `${m[1]}.mid_block.attentions.0.${VAE_ATTN[part] ?? part}.${rest.join('.')}`;
  }
  m = /^(encoder|decoder)\.norm_out\.(.+)$/.exec(key);
  if (m) return `${m[1]}.conv_norm_out.${m[2]}`;
  return key;
}

/** A 1×1 conv weight [C,C,1,1] seen as a linear [C,C]: same bytes, so a disk location stays valid. */
function squeezed(entry: WeightEntry): WeightEntry {
  return { ...entry, shape: entry.shape.slice(0, 2), read: entry.read };
}

/** The diffusers-named store of one part of a single-file checkpoint. */
export function ldmPart(store: WeightStore, part: LdmPart, options: { layersPerBlock?: number; vaeLevels?: number } = {}): WeightStore {
  const prefix = PREFIX[part];
  const out = new Map<string, WeightEntry>();
  const levels = options.vaeLevels ?? 1 + Math.max(-1, ...store.names().map((n) => Number(/^first_stage_model\.decoder\.up\.(\d+)\./.exec(n)?.[1] ?? -1)));
  for (const [name, entry] of store.entries) {
    if (!name.startsWith(prefix)) continue;
    const key = name.slice(prefix.length);
    let mapped: string;
    let value = entry;
    if (part === 'unet') mapped = ldmUnetName(key, options.layersPerBlock ?? 2);
    else if (part === 'vae') {
      mapped = ldmVaeName(key, levels);
      if (/mid_block\.attentions\.0\.to_(q|k|v|out\.0)\.weight$/.test(mapped) && entry.shape.length === 4) value = squeezed(entry);
    } else mapped = key.startsWith('text_model.') ? key : `text_model.${key}`;
    if (out.has(mapped)) throw new MemeError('BAD_WEIGHTS', `two checkpoint keys map to '${mapped}' (one is '${name}')`, { name: mapped });
    out.set(mapped, value);
  }
  if (!out.size) throw new MemeError('BAD_WEIGHTS', `the checkpoint has no ${prefix}* weights`);
  return new WeightStore(out).withFilesOf(store);
}
