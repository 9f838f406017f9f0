import { defineConfig } from 'vitest/config';

// Tests run on a 2-core machine: forks keep native addons (sharp, onnxruntime-node) in separate processes.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
