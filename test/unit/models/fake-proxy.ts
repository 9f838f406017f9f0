// A minimal HTTP proxy for `models pull` tests: CONNECT tunnels (what undici's ProxyAgent sends) and
// absolute-form requests, each target logged, so a test can see that downloads went through the proxy.
import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import { type Socket, connect } from 'node:net';
import { listen } from './fake-hub.ts';

export class FakeProxy {
  /** host:port of every CONNECT and the URL of every forwarded request. */
  readonly targets: string[] = [];
  /** When set, tunnels need `Proxy-Authorization: Basic base64(<requiredCredentials>)`, else 407. */
  requiredCredentials: string | undefined;
  url = '';
  private server: Server | undefined;
  /** Tunnels are upgraded sockets the server no longer tracks; stop() ends them itself. */
  private readonly tunnels = new Set<Socket>();

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.forward(req, res));
    this.server.on('connect', (req: IncomingMessage, client, head: Buffer) => {
      this.targets.push(req.url ?? '');
      if (this.requiredCredentials && req.headers['proxy-authorization'] !== `Basic ${Buffer.from(this.requiredCredentials).toString('base64')}`) {
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
        return;
      }
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        this.tunnels.add(upstream).add(client as Socket);
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      const drop = () => {
        upstream.destroy();
        client.destroy();
      };
      upstream.on('error', drop);
      client.on('error', drop);
    });
    this.url = await listen(this.server);
  }

  async stop(): Promise<void> {
    for (const socket of this.tunnels) socket.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    this.targets.push(req.url ?? '');
    const upstream = request(req.url ?? '', { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  }
}
