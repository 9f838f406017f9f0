// The SD1.5 UNet forward with HelloMeme v5's hooks (spec 5.3): per-frame folding, control added "in place" at
// down-block outputs (so the block's last skip carries it too) and at up-block inputs, reference attention and
// motion modules; plus the truncated reference pass that stops at the last up-block input. Graph ops only.

import { Module, ModuleList } from '../../nn/module.ts';
import type { GraphBuilder, Value } from '../../onnx/graph-builder.ts';
import * as op from '../../onnx/ops.ts';
import type { Tap, UNet2DConditionModel } from '../sd15/unet.ts';
import { SKReferenceAttentionV5 } from './knitting-attention.ts';
import type { HM5MotionAdapter } from './motion-module.ts';
import { expandBatch, repeatInterleave } from './shape-ops.ts';

/** HM5ReferenceAdapter: `reference_modules_up.{i}`, channels from its config.json (block_up_channels). */
export class HM5ReferenceAdapter extends Module {
  readonly up: SKReferenceAttentionV5[];

  constructor(readonly upChannels: readonly number[], heads: number) {
    super();
    this.up = this.child('reference_modules_up', new ModuleList(upChannels.map((c) => new SKReferenceAttentionV5(c, heads)))).items;
  }
}

/** Per-level hooks on [(B F),C,h,w] maps. afterDown gives the block's last skip and the map the path continues with. */
interface UnetHooks {
  afterDown?(level: number, h: Value): { skip: Value; next: Value };
  beforeUp?(level: number, h: Value): Value;
}

interface UnetRunResult {
  /** down_i outputs and up_i inputs before any hook (the reference cache / res_cache) */
  readonly cache: Map<string, Value>;
  /** noise prediction [(B F),C_out,H,W], absent when truncated */
  readonly out?: Value;
}

/** Time embedding for a [T] timestep (T = 1 or B), broadcast to the batch and repeated over frames, SiLU applied. */
export function frameTimeEmbedding(g: GraphBuilder, unet: UNet2DConditionModel, timestep: Value, batch: Value, frames: Value | null): Value {
  const temb = expandBatch(g, unet.timeEmbedding.forward(g, unet.timeProj.forward(g, timestep)), batch, 2);
  const act = op.silu(g, temb);
  return frames ? repeatInterleave(g, act, frames, 2) : act;
}

/**
 * Runs the UNet on folded frames h0 [(B F),C,H,W] with tembAct [(B F),T] and context [(B F),L,D].
 * `truncate`: stop once the last up block's input is known (the reference net).
 */
export function runHookedUnet(g: GraphBuilder, unet: UNet2DConditionModel, sample: Value, tembAct: Value, context: Value, hooks: UnetHooks, options: { truncate?: boolean; tap?: Tap } = {}): UnetRunResult {
  const tap = options.tap ?? (() => undefined);
  const cache = new Map<string, Value>();
  let h = unet.convIn.forward(g, sample);
  const skips: Value[] = [h];
  unet.downBlocks.forEach((block, i) => {
    const r = g.scoped(`down_blocks.${i}`, () => block.forward(g, h, tembAct, context));
    cache.set(`down_${i}`, r.out);
    const hooked = hooks.afterDown ? hooks.afterDown(i, r.out) : { skip: r.out, next: r.out };
    skips.push(...r.skips.slice(0, -1), hooked.skip);
    h = hooked.next;
  });
  if (unet.midBlock) h = g.scoped('mid_block', () => unet.midBlock?.forward(g, h, tembAct, context) as Value);
  const n = unet.upBlocks.length;
  for (let i = 0; i < n; i++) {
    cache.set(`up_${i}`, h);
    if (options.truncate && i === n - 1) return { cache };
    if (hooks.beforeUp) h = hooks.beforeUp(i, h);
    const block = unet.upBlocks[i];
    const mine = skips.splice(skips.length - block.resnets.length, block.resnets.length);
    const sizeLike = skips.length ? skips[skips.length - 1] : undefined;
    h = g.scoped(`up_blocks.${i}`, () => block.forward(g, h, mine, tembAct, context, sizeLike));
    tap(`up_blocks.${i}.out`, h);
  }
  const out = unet.convOut.forward(g, op.silu(g, unet.convNormOut.forward(g, h)));
  return { cache, out };
}

export interface DenoiseConditioning {
  readonly frames: Value;
  /** ref_cache.up_i [B,C,h,w] */
  readonly reference: readonly Value[];
  /** control down3_i / up3_i, folded to [(B F),C,h,w] */
  readonly controlDown: readonly Value[];
  readonly controlUp: readonly Value[];
  /** pad down_i / up_i [B,C,2,h,w], or null for the no-pad path */
  readonly padDown: readonly Value[] | null;
  readonly padUp: readonly Value[] | null;
}

/** The denoiser's hooks in the official order (spec 5.3 and golden README trap 6). */
export function denoiseHooks(g: GraphBuilder, reference: HM5ReferenceAdapter, motion: HM5MotionAdapter, c: DenoiseConditioning, tap: Tap): UnetHooks {
  return {
    afterDown(i, h) {
      const withControl = op.add(g, h, c.controlDown[i]);
      const next = g.scoped(`motion_down.${i}`, () => motion.down[i].forward(g, withControl, c.frames, c.padDown ? c.padDown[i] : null));
      tap(`motion_down.${i}.out`, next);
      return { skip: withControl, next };
    },
    beforeUp(i, h) {
      const withControl = op.add(g, h, c.controlUp[i]);
      const ref = repeatInterleave(g, c.reference[i], c.frames, 4);
      const r = g.scoped(`reference_modules_up.${i}`, () => reference.up[i].forward(g, withControl, ref));
      tap(`reference_modules_up.${i}.out`, r);
      const m = g.scoped(`motion_up.${i}`, () => motion.up[i].forward(g, r, c.frames, c.padUp ? c.padUp[i] : null));
      tap(`motion_up.${i}.out`, m);
      return m;
    },
  };
}
