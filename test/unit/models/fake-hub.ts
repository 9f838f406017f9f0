// A local imitation of the Hugging Face hub for `models pull` tests: /<repo>/resolve/<rev>/<path> answers like
// the hub (302 to a CDN on another origin with X-Linked-Etag/X-Linked-Size for LFS files, ETag = git blob sha1
// for small ones), and the CDN serves Range requests. Faults: cut a body once, corrupt a body once.
import { createHash, randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  server: 'hub' | 'cdn';
  method: string;
  url: string;
  range?: string;
  authorization?: string;
}

interface Entry {
  body: Buffer;
  sha256: string;
  gitSha1: string;
  lfs: boolean;
}

export class FakeHub {
  readonly requests: LoggedRequest[] = [];
  /** "repo/path" keys whose next body is cut halfway (socket destroyed). */
  readonly cutOnce = new Set<string>();
  /** "repo/path" keys whose next body stops halfway on a connection left open (a stalled CDN). */
  readonly stallOnce = new Set<string>();
  /** "repo/path" keys the CDN always answers with 503. */
  readonly unavailable = new Set<string>();
  /** "repo/path" keys whose next body has one flipped byte. */
  readonly corruptOnce = new Set<string>();
  /** When set, the hub answers 401 to requests without `Authorization: Bearer <requiredToken>`. */
  requiredToken: string | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly bySha = new Map<string, string>();
  private hub: Server | undefined;
  private cdn: Server | undefined;
  hubUrl = '';
  cdnUrl = '';

  /** Adds a file; weights (.safetensors, .onnx, .pth) are LFS files, as on the hub. */
  add(repo: string, path: string, body: Buffer = randomBytes(path.endsWith('.json') || path.endsWith('.txt') ? 300 : 48 * 1024)): Buffer {
    const lfs = /\.(safetensors|onnx|pth|bin)$/.test(path);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const gitSha1 = createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
    this.entries.set(`${repo}/${path}`, { body, sha256, gitSha1, lfs });
    this.bySha.set(sha256, `${repo}/${path}`);
    return body;
  }

  body(key: string): Buffer {
    const entry = this.entries.get(key);
    if (!entry) throw new Error(`fake hub has no ${key}`);
    return entry.body;
  }

  async start(): Promise<void> {
    this.cdn = createServer((req, res) => this.serveCdn(req, res));
    this.hub = createServer((req, res) => this.serveHub(req, res));
    this.cdnUrl = await listen(this.cdn);
    this.hubUrl = await listen(this.hub);
  }

  async stop(): Promise<void> {
    for (const server of [this.hub, this.cdn]) server?.closeAllConnections();
    await Promise.all([this.hub, this.cdn].map((s) => new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()))));
  }

  private log(server: 'hub' | 'cdn', req: IncomingMessage): void {
    this.requests.push({ server, method: req.method ?? '', url: req.url ?? '', range: req.headers.range, authorization: req.headers.authorization });
  }

  private serveHub(req: IncomingMessage, res: ServerResponse): void {
    this.log('hub', req);
    if (this.requiredToken && req.headers.authorization !== `Bearer ${this.requiredToken}`) {
      res.writeHead(401, { 'x-error-code': 'GatedRepo' }).end('Access to this repo is restricted');
      return;
    }
    const match = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(decodeURI(req.url ?? ''));
    const entry = match ? this.entries.get(`${match[1]}/${match[3]}`) : undefined;
    if (!match || !entry) {
      res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end('Entry not found');
      return;
    }
    if (entry.lfs) {
      res.writeHead(302, {
        location: `${this.cdnUrl}/blobs/${entry.sha256}?expires=1`,
        'x-linked-etag': `"${entry.sha256}"`,
        'x-linked-size': String(entry.body.length),
        'x-repo-commit': 'c0ffee',
        etag: `"${entry.sha256}"`,
      });
      res.end();
      return;
    }
    this.serveBody(`${match[1]}/${match[3]}`, entry, req, res, `"${entry.gitSha1}"`);
  }

  private serveCdn(req: IncomingMessage, res: ServerResponse): void {
    this.log('cdn', req);
    const sha = /^\/blobs\/([0-9a-f]{64})/.exec(req.url ?? '')?.[1];
    const key = sha ? this.bySha.get(sha) : undefined;
    const entry = key ? this.entries.get(key) : undefined;
    if (!key || !entry) {
      res.writeHead(404).end();
      return;
    }
    if (this.unavailable.has(key)) {
      res.writeHead(503).end('busy');
      return;
    }
    this.serveBody(key, entry, req, res, `"cdn-${entry.sha256.slice(0, 8)}"`);
  }

  private serveBody(key: string, entry: Entry, req: IncomingMessage, res: ServerResponse, etag: string): void {
    const total = entry.body.length;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= total && range) {
      res.writeHead(416, { 'content-range': `bytes */${total}` }).end();
      return;
    }
    let body = entry.body.subarray(start);
    const headers = { etag, 'content-length': String(body.length), 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
    res.writeHead(range ? 206 : 200, range ? { ...headers, 'content-range': `bytes ${start}-${total - 1}/${total}` } : headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (this.corruptOnce.delete(key)) {
      body = Buffer.from(body);
      body[body.length >> 1] ^= 0xff;
    }
    if (this.stallOnce.delete(key)) {
      res.write(body.subarray(0, body.length >> 1));
      return;
    }
    if (this.cutOnce.delete(key)) {
      // Half the body, then a dead connection once the client has had time to store what it got.
      res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => res.socket?.destroy(), 50));
      return;
    }
    res.end(body);
  }
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}
