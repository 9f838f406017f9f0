// The published SD1.5 component configs, for single-file checkpoints that ship without config.json.
// Values only; parsing lives next to each model.

export const SD15_UNET_CONFIG = {
  in_channels: 4,
  out_channels: 4,
  block_out_channels: [320, 640, 1280, 1280],
  layers_per_block: 2,
  down_block_types: ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'],
  up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'],
  attention_head_dim: 8,
  cross_attention_dim: 768,
  norm_num_groups: 32,
  norm_eps: 1e-5,
  flip_sin_to_cos: true,
  freq_shift: 0,
  downsample_padding: 1,
  mid_block_scale_factor: 1,
  use_linear_projection: false,
};

export const SD15_VAE_CONFIG = {
  in_channels: 3,
  out_channels: 3,
  latent_channels: 4,
  block_out_channels: [128, 256, 512, 512],
  layers_per_block: 2,
  norm_num_groups: 32,
  scaling_factor: 0.18215,
  down_block_types: ['DownEncoderBlock2D', 'DownEncoderBlock2D', 'DownEncoderBlock2D', 'DownEncoderBlock2D'],
  up_block_types: ['UpDecoderBlock2D', 'UpDecoderBlock2D', 'UpDecoderBlock2D', 'UpDecoderBlock2D'],
};

export const SD15_CLIP_TEXT_CONFIG = {
  hidden_size: 768,
  intermediate_size: 3072,
  num_attention_heads: 12,
  num_hidden_layers: 12,
  max_position_embeddings: 77,
  vocab_size: 49408,
  layer_norm_eps: 1e-5,
  hidden_act: 'quick_gelu',
  projection_dim: 768,
};
