// The operator's endpoints (src/ops-server.ts) on their own port, as a worker serves them.
import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { startOpsServer } from '../../src/ops-server.ts';

describe('ops server', () => {
  it('answers /healthz by the process\'s health (200, then 503), /metrics from its registry, and nothing else', async () => {
    const registry = new Registry();
    new Counter({ name: 'memeloom_test_total', help: 'a test counter', registers: [registry] }).inc(3);
    let ok = true;
    const ops = await startOpsServer({ registry, health: () => ({ ok, body: { role: 'worker' } }) }, '127.0.0.1', 0);
    try {
      const healthy = await fetch(`${ops.url}/healthz`);
      expect(healthy.status).toBe(200);
      expect(await healthy.json()).toEqual({ status: 'ok', role: 'worker' });
      expect(await (await fetch(`${ops.url}/metrics`)).text()).toMatch(/^memeloom_test_total 3$/m);
      expect((await fetch(`${ops.url}/`)).status).toBe(404);
      ok = false;
      const stopping = await fetch(`${ops.url}/healthz`);
      expect(stopping.status).toBe(503);
      expect(await stopping.json()).toMatchObject({ status: 'shutting-down' });
    } finally {
      await ops.close();
    }
  });
});
