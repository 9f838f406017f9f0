// CLIP text tower (HF CLIPTextModel names: text_model.*, optional text_projection) from its HF config.json.
// input_ids [B,T] int64 → last_hidden_state, pooled_output (at argmax(input_ids)), hidden states per layer.
import { InputError } from '../../../errors.ts';
import type { GraphBuilder, Value } from '../../onnx/graph-builder.ts';
import { attr } from '../../onnx/graph-builder.ts';
import * as op from '../../onnx/ops.ts';
import { targetRuns } from '../../onnx/target-check.ts';
import { Attention } from '../../nn/attention.ts';
import { LayerNorm, Linear } from '../../nn/layers.ts';
import { Module, ModuleList } from '../../nn/module.ts';

interface ClipTextConfig {
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly heads: number;
  readonly layers: number;
  readonly maxPositions: number;
  readonly vocabSize: number;
  readonly eps: number;
  readonly activation: 'quick_gelu' | 'gelu';
  readonly projectionDim?: number;
}

export function parseClipTextConfig(c: Record<string, unknown>): ClipTextConfig {
  const act = (c.hidden_act as string) ?? 'quick_gelu';
  if (act !== 'quick_gelu' && act !== 'gelu') throw new InputError('UNSUPPORTED_FORMAT', `CLIP config: hidden_act ${act} is not supported`);
  const hiddenSize = c.hidden_size as number;
  if (!Number.isInteger(hiddenSize)) throw new InputError('BAD_OPTION', 'CLIP config: hidden_size missing');
  return {
    hiddenSize,
    intermediateSize: (c.intermediate_size as number) ?? hiddenSize * 4,
    heads: (c.num_attention_heads as number) ?? 8,
    layers: (c.num_hidden_layers as number) ?? 12,
    maxPositions: (c.max_position_embeddings as number) ?? 77,
    vocabSize: (c.vocab_size as number) ?? 49408,
    eps: (c.layer_norm_eps as number) ?? 1e-5,
    activation: act,
    projectionDim: c.projection_dim as number | undefined,
  };
}

class Embedding extends Module {
  constructor(count: number, dim: number) {
    super();
    this.param('weight', [count, dim]);
  }

  lookup(g: GraphBuilder, ids: Value): Value {
    return g.op('Gather', [this.w(g, 'weight'), ids], { axis: attr.int(0) });
  }

  table(g: GraphBuilder): Value {
    return this.w(g, 'weight');
  }
}

class ClipEmbeddings extends Module {
  readonly token: Embedding;
  readonly position: Embedding;

  constructor(c: ClipTextConfig) {
    super();
    this.token = this.child('token_embedding', new Embedding(c.vocabSize, c.hiddenSize));
    this.position = this.child('position_embedding', new Embedding(c.maxPositions, c.hiddenSize));
  }

  /** token + position embeddings for positions 0..T-1. */
  forward(g: GraphBuilder, ids: Value): Value {
    const count = op.shape(g, ids, 1, 2);
    const positions = op.slice(g, this.position.table(g), g.ints([0]), count, [0]);
    return op.add(g, this.token.lookup(g, ids), positions);
  }
}

class ClipMlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(dim: number, inner: number) {
    super();
    this.fc1 = this.child('fc1', new Linear(dim, inner));
    this.fc2 = this.child('fc2', new Linear(inner, dim));
  }
}

class ClipLayer extends Module {
  readonly ln1: LayerNorm;
  readonly attn: Attention;
  readonly ln2: LayerNorm;
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(readonly c: ClipTextConfig) {
    super();
    const d = c.hiddenSize;
    this.ln1 = this.child('layer_norm1', new LayerNorm(d, c.eps));
    this.attn = this.child('self_attn', new Attention({ queryDim: d, heads: c.heads, headDim: d / c.heads, qkvBias: true, naming: 'clip' }));
    this.ln2 = this.child('layer_norm2', new LayerNorm(d, c.eps));
    const mlp = this.child('mlp', new ClipMlp(d, c.intermediateSize));
    this.fc1 = mlp.fc1;
    this.fc2 = mlp.fc2;
  }

  forward(g: GraphBuilder, x: Value, mask: Value): Value {
    const h = op.add(g, this.attn.forward(g, this.ln1.forward(g, x), undefined, mask), x);
    const a = this.fc1.forward(g, this.ln2.forward(g, h));
    const act = this.c.activation === 'quick_gelu' ? op.quickGelu(g, a) : op.gelu(g, a);
    return op.add(g, this.fc2.forward(g, act), h);
  }
}

class ClipTextTransformer extends Module {
  readonly embeddings: ClipEmbeddings;
  readonly layers: ClipLayer[];
  readonly finalNorm: LayerNorm;

  constructor(readonly c: ClipTextConfig) {
    super();
    this.embeddings = this.child('embeddings', new ClipEmbeddings(c));
    const encoder = this.child('encoder', new EncoderHolder());
    this.layers = encoder.add(Array.from({ length: c.layers }, () => new ClipLayer(c)));
    this.finalNorm = this.child('final_layer_norm', new LayerNorm(c.hiddenSize, c.eps));
  }
}

class EncoderHolder extends Module {
  add(layers: ClipLayer[]): ClipLayer[] {
    return this.child('layers', new ModuleList(layers)).items;
  }
}

interface ClipTextOutputs {
  readonly lastHiddenState: Value;
  /** absent on targets without ArgMax over token ids (webgpu: no int64 kernels); SD and HelloMeme use lastHiddenState */
  readonly pooled?: Value;
  readonly hiddenStates: Value[];
  readonly textEmbeds?: Value;
}

export class ClipTextModel extends Module {
  readonly textModel: ClipTextTransformer;
  readonly projection?: Linear;

  constructor(readonly config: ClipTextConfig, withProjection: boolean) {
    super();
    this.textModel = this.child('text_model', new ClipTextTransformer(config));
    if (withProjection) {
      if (!config.projectionDim) throw new InputError('BAD_OPTION', 'CLIP config: projection_dim missing for text_projection');
      this.projection = this.child('text_projection', new Linear(config.hiddenSize, config.projectionDim, false));
    }
  }

  /** Causal additive mask [T,T] for the first T positions: 0 on and below the diagonal, -inf above. */
  private causalMask(g: GraphBuilder, ids: Value): Value {
    const n = this.config.maxPositions;
    const data = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) data[i * n + j] = Number.NEGATIVE_INFINITY;
    const full = g.floats([n, n], data);
    const count = op.shape(g, ids, 1, 2);
    return op.slice(g, full, g.ints([0, 0]), op.concat(g, [count, count], 0), [0, 1]);
  }

  forward(g: GraphBuilder, ids: Value): ClipTextOutputs {
    const t = this.textModel;
    let h = t.embeddings.forward(g, ids);
    const hiddenStates = [h];
    const mask = this.causalMask(g, ids);
    t.layers.forEach((layer, i) => {
      h = g.scoped(`layers.${i}`, () => layer.forward(g, h, mask));
      hiddenStates.push(h);
    });
    const last = t.finalNorm.forward(g, h);
    if (!targetRuns(g, 'ArgMax')) return { lastHiddenState: last, hiddenStates };
    // Pool at the first maximal id (the first EOT, since EOT is the highest id); ids fit float32 exactly.
    const argmax = g.op('ArgMax', [op.cast(g, ids, 'float32')], { axis: attr.int(1), keepdims: attr.int(1), select_last_index: attr.int(0) });
    const pooled = g.op('GatherND', [last, argmax], { batch_dims: attr.int(1) });
    const textEmbeds = this.projection ? this.projection.forward(g, pooled) : undefined;
    return { lastHiddenState: last, pooled, hiddenStates, textEmbeds };
  }
}
