// How `graph run` hands a freshly built graph to ONNX Runtime: in memory when its weights fit in one protobuf
// (< 2 GB, kept under 1 GB), else as a scratch model file with external data, removed once the session holds it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphBuilder } from '../graph/onnx/graph-builder.ts';
import { encodeModelInline, writeModelExternal } from '../graph/onnx/model-writer.ts';

const INLINE_LIMIT_BYTES = 1024 ** 3;

/** Calls `use` with the model bytes or a model path; a scratch folder lives only as long as that call. */
export async function withModelFile<T>(g: GraphBuilder, use: (model: Uint8Array | string) => Promise<T>): Promise<T> {
  let weightBytes = 0;
  for (const init of g.initializers.values()) if (init.kind === 'weight') weightBytes += init.dims.reduce((a, b) => a * b, 1) * 4;
  if (weightBytes < INLINE_LIMIT_BYTES) return use(await encodeModelInline(g));
  const scratch = mkdtempSync(join(tmpdir(), 'memeloom-graph-'));
  try {
    return await use((await writeModelExternal(g, join(scratch, 'model.onnx'))).modelPath);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
