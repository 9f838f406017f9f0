// LoRA merge with kohya and diffusers/peft names, checked against deltas computed by hand in the test.
import { describe, expect, it } from 'vitest';
import { mergeLora, unreadLoraKeys } from '../../src/graph/weights/lora-merge.ts';
import { storeFromHost } from '../../src/graph/weights/weight-store.ts';

const base = () =>
  storeFromHost({
    'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight': { shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) },
    'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.bias': { shape: [2], data: Float32Array.of(9, 9) },
    'conv_in.weight': { shape: [2, 1, 2, 2], data: Float32Array.of(0, 0, 0, 0, 1, 1, 1, 1) },
    'text_model.encoder.layers.0.self_attn.q_proj.weight': { shape: [2, 2], data: Float32Array.of(1, 0, 0, 1) },
  });

const read = async (s: ReturnType<typeof base>, n: string) => [...(await s.get(n).read())];

describe('mergeLora', () => {
  it('kohya names with alpha: W + scale·alpha/rank·up·down', async () => {
    // rank 2: up [2,2] = [[1,0],[0,2]], down [2,3] = [[1,1,1],[0,1,0]]; up·down = [[1,1,1],[0,2,0]]
    // factor = scale 0.5 · alpha 1 / rank 2 = 0.25 → delta [[.25,.25,.25],[0,.5,0]]
    const lora = storeFromHost({
      'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_up.weight': { shape: [2, 2], data: Float32Array.of(1, 0, 0, 2) },
      'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.lora_down.weight': { shape: [2, 3], data: Float32Array.of(1, 1, 1, 0, 1, 0) },
      'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q.alpha': { shape: [], data: Float32Array.of(1) },
      'lora_te_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight': { shape: [2, 1], data: Float32Array.of(1, 1) },
      'lora_te_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight': { shape: [1, 2], data: Float32Array.of(1, 1) },
    });
    const { store, merged } = mergeLora(base(), lora, 'unet', 0.5);
    expect(merged).toEqual(['down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight']);
    expect(await read(store, 'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight')).toEqual([1.25, 2.25, 3.25, 4, 5.5, 6]);
    expect(await read(store, 'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.bias')).toEqual([9, 9]);
    // text encoder part, no alpha → factor = scale 1 · rank 1 / rank 1
    const te = mergeLora(base(), lora, 'text_encoder');
    expect(await read(te.store, 'text_model.encoder.layers.0.self_attn.q_proj.weight')).toEqual([2, 1, 1, 2]);
  });

  it('kohya conv LoRA: down keeps the kernel, up is 1×1', async () => {
    // up [2,1,1,1] = [1, -1], down [1,1,2,2] = [1,2,3,4], factor 1 → delta [[1,2,3,4],[-1,-2,-3,-4]]
    const lora = storeFromHost({
      'lora_unet_conv_in.lora_up.weight': { shape: [2, 1, 1, 1], data: Float32Array.of(1, -1) },
      'lora_unet_conv_in.lora_down.weight': { shape: [1, 1, 2, 2], data: Float32Array.of(1, 2, 3, 4) },
    });
    const { store } = mergeLora(base(), lora, 'unet');
    expect(await read(store, 'conv_in.weight')).toEqual([1, 2, 3, 4, 0, -1, -2, -3]);
  });

  it('diffusers/peft names (lora_A / lora_B) and old processor names', async () => {
    // B [2,1] = [2, 0], A [1,3] = [0, 1, 0], scale 0.25, no alpha (= rank) → delta [[0,.5,0],[0,0,0]]
    const peft = storeFromHost({
      'unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora_B.weight': { shape: [2, 1], data: Float32Array.of(2, 0) },
      'unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.lora_A.weight': { shape: [1, 3], data: Float32Array.of(0, 1, 0) },
    });
    const a = mergeLora(base(), peft, 'unet', 0.25);
    expect(await read(a.store, 'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight')).toEqual([1, 2.5, 3, 4, 5, 6]);
    const old = storeFromHost({
      'unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.processor.to_q_lora.up.weight': { shape: [2, 1], data: Float32Array.of(0, 1) },
      'unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.processor.to_q_lora.down.weight': { shape: [1, 3], data: Float32Array.of(1, 0, 0) },
    });
    const b = mergeLora(base(), old, 'unet');
    expect(await read(b.store, 'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight')).toEqual([1, 2, 3, 5, 5, 6]);
  });

  it('lists the keys neither target reads (LoHa factors, DoRA scales), and none for plain LoRAs', () => {
    const mixed = storeFromHost({
      'lora_unet_conv_in.lora_up.weight': { shape: [2, 1, 1, 1], data: Float32Array.of(1, -1) },
      'lora_unet_conv_in.lora_down.weight': { shape: [1, 1, 2, 2], data: Float32Array.of(1, 2, 3, 4) },
      'lora_unet_conv_in.hada_w1_a': { shape: [2, 1], data: Float32Array.of(1, 1) },
      'unet.conv_in.lora_magnitude_vector': { shape: [2], data: Float32Array.of(1, 1) },
    });
    expect(unreadLoraKeys(mixed)).toEqual(['lora_unet_conv_in.hada_w1_a', 'unet.conv_in.lora_magnitude_vector']);
    expect(unreadLoraKeys(storeFromHost({ 'lora_te_text_model_encoder_layers_0_self_attn_q_proj.alpha': { shape: [], data: Float32Array.of(1) } }))).toEqual([]);
  });

  it('names a LoRA module that matches no weight', () => {
    const lora = storeFromHost({
      'lora_unet_down_blocks_9_attn_to_q.lora_up.weight': { shape: [2, 1], data: Float32Array.of(1, 1) },
      'lora_unet_down_blocks_9_attn_to_q.lora_down.weight': { shape: [1, 3], data: Float32Array.of(1, 1, 1) },
    });
    expect(() => mergeLora(base(), lora, 'unet')).toThrow(expect.objectContaining({ code: 'BAD_WEIGHTS', message: expect.stringContaining('down_blocks_9_attn_to_q') }));
  });
});
