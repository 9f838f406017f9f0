// bench:graph's yardstick for the profile: the rate ONNX Runtime's own SGEMM reaches on this machine with the same
// threads, on a square product large enough to run at the kernel's best. A UNet kind of work near this rate has no
// fp32 headroom left on this CPU; one far below it does.
import { GraphBuilder } from '../src/graph/onnx/graph-builder.ts';
import { encodeModelInline } from '../src/graph/onnx/model-writer.ts';
import { createSession } from '../src/graph/runtime.ts';

/** GFLOP/s of the best of `runs` [n,n]·[n,n] products after a warm-up. */
export async function gemmCeilingGflops(threads: number, n = 2048, runs = 5): Promise<number> {
  const g = new GraphBuilder({ target: 'cpu' });
  const a = g.input('a', 'float32', [n, n]);
  g.output(g.op('MatMul', [a, a]), 'y', 'float32', [n, n]);
  const session = await createSession(await encodeModelInline(g), { provider: 'cpu', threads });
  try {
    const feeds = { a: { elem: 'float32' as const, dims: [n, n], data: new Float32Array(n * n).fill(1 / n) } };
    await session.run(feeds);
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await session.run(feeds);
      best = Math.min(best, (performance.now() - t) / 1000);
    }
    return (2 * n ** 3) / best / 1e9;
  } finally {
    await session.dispose();
  }
}
