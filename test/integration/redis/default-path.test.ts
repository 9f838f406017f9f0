// With no Redis configured nothing about it is loaded: a process whose imports of bullmq/ioredis throw still starts
// and renders with the embedded queue; the same process with QUEUE_BACKEND=redis hits the block (the probe works).
import { describe, expect, it } from 'vitest';
import { scenarioEnv, TestProcess } from './processes.ts';

function runProbe(env: Record<string, string>) {
  const probe = new TestProcess(['--import', 'tsx', 'test/integration/redis/default-path-probe.ts'], env);
  return probe.waitFor((l) => l.ev === 'result' || l.ev === 'error', 30_000, 'the probe');
}

describe('default (local) queue backend', () => {
  it('starts and renders without ever importing bullmq or ioredis', async () => {
    const env = scenarioEnv('redis://127.0.0.1:9', 'local', { QUEUE_BACKEND: 'local', MEMELOOM_PORT: '0' });
    expect(await runProbe(env)).toMatchObject({ ev: 'result', kind: 'deliver', backend: 'local' });
  }, 40_000);

  it('the same probe with QUEUE_BACKEND=redis runs into the blocked import', async () => {
    const env = scenarioEnv('redis://127.0.0.1:9', 'blocked', { MEMELOOM_PORT: '0' });
    const line = await runProbe(env);
    expect(line.ev).toBe('error');
    expect(String(line.message)).toMatch(/BLOCKED import of (bullmq|ioredis)/);
  }, 40_000);
});
