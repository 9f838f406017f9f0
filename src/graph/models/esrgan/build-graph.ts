// Opens Real-ESRGAN weights (.pth as published, or .safetensors), binds them strictly to an RRDBNet of the
// architecture they describe, and builds its graph: image [N,3,H,W] in [0, 1] → upscaled [N,3,H·s,W·s], float32
// at the boundary (cast inside for fp16), any H and W that are multiples of the unshuffle factor.
import { bindWeights } from '../../nn/bind.ts';
import { type FloatType, GraphBuilder, type Target } from '../../onnx/graph-builder.ts';
import * as op from '../../onnx/ops.ts';
import { openPthStore } from '../../weights/pth/pth-checkpoint.ts';
import { openSafetensorsStore, type WeightStore } from '../../weights/weight-store.ts';
import { RRDBNet, rrdbNetConfigOf } from './rrdbnet.ts';

export interface LoadedRrdbNet {
  readonly net: RRDBNet;
  /** closes the weight file; call after the graph is written */
  close(): Promise<void>;
}

/** Real-ESRGAN weights from `path`: a torch checkpoint (params_ema preferred) or a safetensors file. */
async function openEsrganWeights(path: string): Promise<WeightStore> {
  return path.endsWith('.safetensors') ? openSafetensorsStore([path]) : openPthStore(path);
}

export async function loadRrdbNet(path: string): Promise<LoadedRrdbNet> {
  const store = await openEsrganWeights(path);
  try {
    const net = new RRDBNet(rrdbNetConfigOf(store));
    bindWeights(net, store, { modelName: `RRDBNet ×${net.config.scale} (${path})` });
    return { net, close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}

export function buildRrdbNetGraph(net: RRDBNet, options: { target?: Target; floatType?: FloatType } = {}): GraphBuilder {
  const g = new GraphBuilder({ target: options.target, floatType: options.floatType });
  const { channels, scale } = net.config;
  const image = g.input('image', 'float32', ['batch', channels, 'height', 'width']);
  const x = g.floatType === 'float16' ? op.cast(g, image, 'float16') : image;
  const y = net.forward(g, x);
  g.output(g.floatType === 'float16' ? op.cast(g, y, 'float32') : y, 'upscaled', 'float32', ['batch', channels, `height*${scale}`, `width*${scale}`]);
  return g;
}
