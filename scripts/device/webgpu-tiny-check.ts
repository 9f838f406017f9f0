// Runs every webgpu-target graph of the tiny goldens on this machine's WebGPU EP (sizes bound, CPU fallback
// disabled, as graph/runtime.ts opens them) and prints each output's distance from its fp32 golden. Where no
// hardware adapter exists, Mesa's lavapipe works (README.md says how); `npx tsx scripts/device/webgpu-tiny-check.ts`.
import { encodeModelInline } from '../../src/graph/onnx/model-writer.ts';
import { createSession } from '../../src/graph/runtime.ts';
import { maxAbsDiff } from '../../test/graph/golden-helpers.ts';
import { tinyCases } from '../../test/graph/webgpu-tiny-cases.ts';

const TOL = 1e-2;
let failures = 0;
for await (const c of tinyCases()) {
  try {
    const t = performance.now();
    const session = await createSession(await encodeModelInline(c.graph), { provider: 'webgpu', inputs: c.graph.inputs });
    const out = await session.run(c.feeds);
    await session.dispose();
    const errors = Object.entries(c.expected).map(([name, ref]) => {
      const err = maxAbsDiff(ref.data, out[name].data as Float32Array);
      if (!(err <= TOL)) failures++;
      return `${name} ${err.toExponential(2)}`;
    });
    console.log(`${c.name.padEnd(18)} ${c.graph.floatType} on webgpu, ${((performance.now() - t) / 1000).toFixed(1)} s: ${errors.join(', ')}`);
  } catch (error) {
    failures++;
    console.log(`${c.name.padEnd(18)} FAILED: ${(error as Error).message.split('\n')[0]}`);
  } finally {
    await c.close();
  }
}
console.log(failures ? `${failures} output(s) beyond ${TOL} or failed` : `every output within ${TOL} of its fp32 golden`);
process.exitCode = failures ? 1 : 0;
