// Stand-ins for the hardware answer of graph/runtime.ts probeProvider, so the `auto` decision can be tested for a
// machine with and without a GPU provider on any machine. The decision code itself is the real one.
import type { GpuProvider, ProviderProbe } from '../../src/graph/runtime.ts';

/** Every GPU provider fails, as on a CPU-only machine; `asked` records the order of the questions. */
export function noGpu(asked: GpuProvider[] = []): (provider: GpuProvider) => Promise<ProviderProbe> {
  return async (provider) => {
    asked.push(provider);
    return { provider, usable: false, detail: `a session on ${provider} does not run here (test machine)` };
  };
}

/** Only `working` runs (e.g. WebGPU on a Mac, CUDA on an NVIDIA box). */
export function gpuOn(working: GpuProvider, asked: GpuProvider[] = []): (provider: GpuProvider) => Promise<ProviderProbe> {
  return async (provider) => {
    asked.push(provider);
    return provider === working ? { provider, usable: true, detail: `a session ran on ${provider} (test machine)` } : { provider, usable: false, detail: `no ${provider} here (test machine)` };
  };
}
