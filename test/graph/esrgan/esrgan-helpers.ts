// Shared helpers for the Real-ESRGAN graph tests: the golden folder, and an in-process CPU session for an RRDBNet
// that upscales one planar tile.
import { buildRrdbNetGraph } from '../../../src/graph/models/esrgan/build-graph.ts';
import type { RRDBNet } from '../../../src/graph/models/esrgan/rrdbnet.ts';
import type { PlanarImage, TileRunner } from '../../../src/graph/models/esrgan/tiled-upscale.ts';
import { encodeModelInline } from '../../../src/graph/onnx/model-writer.ts';
import { createSession, type GraphSession } from '../../../src/graph/runtime.ts';
import { golden } from '../golden-helpers.ts';

export const esrganGolden = (...parts: string[]) => golden('esrgan_x2_tiny', ...parts);

export interface NetSession {
  readonly session: GraphSession;
  /** one [C, h, w] tile → [C, h·s, w·s] */
  readonly run: TileRunner;
  /** how many tiles it ran */
  calls: number;
}

export async function netSession(net: RRDBNet): Promise<NetSession> {
  const g = buildRrdbNetGraph(net);
  const session = await createSession(await encodeModelInline(g), { provider: 'cpu', inputs: g.inputs, threads: 1 });
  const self: NetSession = {
    session,
    calls: 0,
    run: async (tile: PlanarImage) => {
      self.calls++;
      const out = await session.run({ image: { elem: 'float32', dims: [1, tile.channels, tile.height, tile.width], data: tile.data } });
      return out.upscaled.data as Float32Array;
    },
  };
  return self;
}
