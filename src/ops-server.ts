// The operator's two endpoints, the same in every process: GET /healthz (200 with a JSON status while the process
// takes work, 503 while it stops) and GET /metrics (Prometheus text from the process's registry). The bot mounts
// them on its playground server; a `memeloom worker` serves them alone (startOpsServer). Nothing else is served.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

interface OpsSource {
  registry: Registry;
  /** Whether the process takes work now, and what to say about it. */
  health(): { ok: boolean; body: Record<string, unknown> };
}

type OpsHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export function opsRoutes(source: OpsSource): { 'GET /healthz': OpsHandler; 'GET /metrics': OpsHandler } {
  return {
    'GET /healthz': (_req, res) => {
      const { ok, body } = source.health();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ status: ok ? 'ok' : 'shutting-down', ...body }));
    },
    'GET /metrics': async (_req, res) => {
      res.writeHead(200, { 'content-type': source.registry.contentType });
      res.end(await source.registry.metrics());
    },
  };
}

/** /healthz and /metrics on their own port (127.0.0.1 unless told otherwise). */
export async function startOpsServer(source: OpsSource, host: string, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const routes: Record<string, OpsHandler> = opsRoutes(source);
  const server = createServer((req, res) => {
    const route = routes[`${req.method} ${req.url}`];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    void Promise.resolve(route(req, res)).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${bound}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
