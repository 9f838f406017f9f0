// Reads a diffusers UNet2DConditionModel config.json into the plain numbers the builder needs, resolving
// diffusers' quirks (attention_head_dim means heads in SD1.5 configs; per-block ints or lists). No graph here.
import { InputError } from '../../../errors.ts';

export interface UnetConfig {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly blockOutChannels: readonly number[];
  readonly layersPerBlock: readonly number[];
  readonly downBlockTypes: readonly string[];
  readonly upBlockTypes: readonly string[];
  readonly midBlock: boolean;
  /** heads per down block (index i); up block i uses the reversed list */
  readonly heads: readonly number[];
  readonly crossAttentionDim: readonly number[];
  readonly transformerLayers: readonly number[];
  readonly reverseTransformerLayers: readonly number[];
  readonly normGroups: number;
  readonly normEps: number;
  readonly flipSinToCos: boolean;
  readonly freqShift: number;
  readonly useLinearProjection: boolean;
  readonly onlyCrossAttention: readonly boolean[];
  readonly downsamplePadding: number;
  readonly midBlockScaleFactor: number;
  readonly resnetOutScaleFactor: number;
  readonly timeEmbedDim: number;
  readonly convInKernel: number;
  readonly convOutKernel: number;
}

type Json = Record<string, unknown>;

function unsupported(what: string): InputError {
  return new InputError('UNSUPPORTED_FORMAT', `UNet config: ${what} is not supported`);
}

function perBlock<T>(value: unknown, count: number, name: string, check: (v: unknown) => v is T): T[] {
  if (Array.isArray(value)) {
    if (value.length !== count || !value.every(check)) throw new InputError('BAD_OPTION', `UNet config: ${name} must have ${count} entries`);
    return value;
  }
  if (!check(value)) throw new InputError('BAD_OPTION', `UNet config: ${name} is ${JSON.stringify(value)}`);
  return Array.from({ length: count }, () => value);
}

const isInt = (v: unknown): v is number => Number.isInteger(v);
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';

function rejectExtras(c: Json): void {
  const mustBeNull = ['class_embed_type', 'addition_embed_type', 'time_cond_proj_dim', 'encoder_hid_dim', 'encoder_hid_dim_type', 'num_class_embeds', 'timestep_post_act', 'time_embedding_act_fn'];
  for (const key of mustBeNull) if (c[key] !== undefined && c[key] !== null) throw unsupported(`${key}=${JSON.stringify(c[key])}`);
  if ((c.resnet_time_scale_shift ?? 'default') !== 'default') throw unsupported(`resnet_time_scale_shift=${c.resnet_time_scale_shift}`);
  if ((c.time_embedding_type ?? 'positional') !== 'positional') throw unsupported(`time_embedding_type=${c.time_embedding_type}`);
  if ((c.act_fn ?? 'silu') !== 'silu') throw unsupported(`act_fn=${c.act_fn}`);
  if (c.dual_cross_attention === true) throw unsupported('dual_cross_attention');
  if (c.upcast_attention === true) throw unsupported('upcast_attention');
  if ((c.center_input_sample ?? false) !== false) throw unsupported('center_input_sample');
}

export function parseUnetConfig(c: Json): UnetConfig {
  rejectExtras(c);
  const blockOutChannels = c.block_out_channels as number[];
  if (!Array.isArray(blockOutChannels) || !blockOutChannels.every(isInt)) throw new InputError('BAD_OPTION', 'UNet config: block_out_channels missing');
  const n = blockOutChannels.length;
  const downBlockTypes = (c.down_block_types as string[]) ?? ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'];
  const upBlockTypes = (c.up_block_types as string[]) ?? ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'];
  if (downBlockTypes.length !== n || upBlockTypes.length !== n) throw new InputError('BAD_OPTION', 'UNet config: block type lists must match block_out_channels');
  for (const t of [...downBlockTypes, ...upBlockTypes]) {
    if (!['CrossAttnDownBlock2D', 'DownBlock2D', 'CrossAttnUpBlock2D', 'UpBlock2D'].includes(t)) throw unsupported(`block type ${t}`);
  }
  const midType = c.mid_block_type ?? 'UNetMidBlock2DCrossAttn';
  if (midType !== 'UNetMidBlock2DCrossAttn' && midType !== null) throw unsupported(`mid_block_type ${String(midType)}`);
  // diffusers: num_attention_heads falls back to attention_head_dim, which SD1.5 configs use for the head count.
  const heads = perBlock(c.num_attention_heads ?? c.attention_head_dim ?? 8, n, 'attention_head_dim', isInt);
  const transformerLayers = perBlock(c.transformer_layers_per_block ?? 1, n, 'transformer_layers_per_block', isInt);
  const reverse = c.reverse_transformer_layers_per_block;
  const blockEmbedDim = blockOutChannels[0] * 4;
  return {
    inChannels: (c.in_channels as number) ?? 4,
    outChannels: (c.out_channels as number) ?? 4,
    blockOutChannels,
    layersPerBlock: perBlock(c.layers_per_block ?? 2, n, 'layers_per_block', isInt),
    downBlockTypes,
    upBlockTypes,
    midBlock: midType !== null,
    heads,
    crossAttentionDim: perBlock(c.cross_attention_dim ?? 1280, n, 'cross_attention_dim', isInt),
    transformerLayers,
    reverseTransformerLayers: Array.isArray(reverse) ? (reverse.flat() as number[]) : [...transformerLayers].reverse(),
    normGroups: (c.norm_num_groups as number) ?? 32,
    normEps: (c.norm_eps as number) ?? 1e-5,
    flipSinToCos: (c.flip_sin_to_cos as boolean) ?? true,
    freqShift: (c.freq_shift as number) ?? 0,
    useLinearProjection: (c.use_linear_projection as boolean) ?? false,
    onlyCrossAttention: perBlock(c.only_cross_attention ?? false, n, 'only_cross_attention', isBool),
    downsamplePadding: (c.downsample_padding as number) ?? 1,
    midBlockScaleFactor: (c.mid_block_scale_factor as number) ?? 1,
    resnetOutScaleFactor: (c.resnet_out_scale_factor as number) ?? 1,
    timeEmbedDim: (c.time_embedding_dim as number) ?? blockEmbedDim,
    convInKernel: (c.conv_in_kernel as number) ?? 3,
    convOutKernel: (c.conv_out_kernel as number) ?? 3,
  };
}
