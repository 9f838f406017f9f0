// Whether ONNX Runtime can really run on CUDA here: the onnxruntime-node build lists 'cuda' as a backend even
// where its provider libraries or the GPU are missing, so a one-op session is created on CUDA once to find out.
import { GraphBuilder } from '../../../graph/onnx/graph-builder.ts';
import { encodeModelInline } from '../../../graph/onnx/model-writer.ts';
import { createSession, cudaAvailable } from '../../../graph/runtime.ts';

let probe: Promise<boolean> | null = null;

async function tryCuda(): Promise<boolean> {
  if (!cudaAvailable()) return false;
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', [1]);
  g.output(g.op('Identity', [x]), 'y', 'float32', [1]);
  try {
    const session = await createSession(await encodeModelInline(g), { provider: 'cuda' });
    await session.dispose();
    return session.provider === 'cuda';
  } catch {
    return false;
  }
}

/** Memoised for the process: the answer cannot change while it runs. */
export function cudaUsable(): Promise<boolean> {
  probe ??= tryCuda();
  return probe;
}
