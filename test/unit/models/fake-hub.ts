// A local imitation of the model sources for `models pull` tests. One origin server speaks two layouts:
//  - Hugging Face: /<repo>/resolve/main/<path> (302 to a CDN on another origin with X-Linked-Etag/X-Linked-Size
//    for LFS files, ETag = git blob sha1 for small ones);
//  - ModelScope: /api/v1/models/<repo>/repo/files?Revision=master&Recursive=true (JSON listing with Size and
//    Sha256) and /api/v1/models/<repo>/repo?Revision=master&FilePath=<path> (the bytes; LFS files via a 302
//    to the CDN, as ModelScope hands them to its object store).
// The CDN serves Range requests. Faults: cut a body once, stall a body once or always, corrupt a body once,
// trickle a body slowly, 503 forever, or an origin that accepts connections and never answers.
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
  /** "repo/path" keys whose body stops halfway the first time and sends nothing after the headers later. */
  readonly stallAlways = new Set<string>();
  /** "repo/path" keys the CDN always answers with 503. */
  readonly unavailable = new Set<string>();
  /** "repo/path" keys whose body is sent in 16 pieces 40 ms apart (a slow line, for progress displays). */
  readonly trickle = new Set<string>();
  /** "repo/path" keys whose next body has one flipped byte. */
  readonly corruptOnce = new Set<string>();
  /** The origin accepts every connection and never answers (the CDN still works). */
  silent = false;
  /** When set, the origin answers 401 to requests without `Authorization: Bearer <requiredToken>`. */
  requiredToken: string | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly bySha = new Map<string, string>();
  private readonly stalledBefore = new Set<string>();
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
    this.hub = createServer((req, res) => this.serveOrigin(req, res));
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

  private serveOrigin(req: IncomingMessage, res: ServerResponse): void {
    this.log('hub', req);
    if (this.silent) return; // headers never come; the client's stall watch has to notice
    if (this.requiredToken && req.headers.authorization !== `Bearer ${this.requiredToken}`) {
      res.writeHead(401, { 'x-error-code': 'GatedRepo' }).end('Access to this repo is restricted');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname.startsWith('/api/v1/models/')) {
      this.serveModelScope(url, req, res);
      return;
    }
    const match = /^\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(decodeURIComponent(url.pathname));
    const entry = match ? this.entries.get(`${match[1]}/${match[2]}`) : undefined;
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
    this.serveBody(`${match[1]}/${match[2]}`, entry, req, res, `"${entry.gitSha1}"`);
  }

  private serveModelScope(url: URL, req: IncomingMessage, res: ServerResponse): void {
    const match = /^\/api\/v1\/models\/([^/]+\/[^/]+)\/repo(\/files)?$/.exec(decodeURIComponent(url.pathname));
    if (!match || url.searchParams.get('Revision') !== 'master') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ Code: 10010205001, Message: 'model not found', Success: false }));
      return;
    }
    const repo = match[1];
    if (match[2]) {
      const files = [...this.entries].filter(([key]) => key.startsWith(`${repo}/`));
      const listed = files.map(([key, e]) => ({ Name: key.split('/').pop(), Path: key.slice(repo.length + 1), Size: e.body.length, Sha256: e.sha256, Type: 'blob', IsLFS: e.lfs }));
      const dirs = [...new Set(listed.map((f) => f.Path.split('/').slice(0, -1).join('/')).filter(Boolean))].map((d) => ({ Name: d, Path: d, Type: 'tree' }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ Code: 200, Data: { Files: [...dirs, ...listed] }, Message: 'success', Success: true }));
      return;
    }
    const key = `${repo}/${url.searchParams.get('FilePath')}`;
    const entry = this.entries.get(key);
    if (!entry) {
      res.writeHead(404).end('file not found');
      return;
    }
    if (entry.lfs) {
      res.writeHead(302, { location: `${this.cdnUrl}/blobs/${entry.sha256}?oss=1` }).end();
      return;
    }
    this.serveBody(key, entry, req, res, `"${entry.sha256}"`);
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
    if (this.stallAlways.has(key)) {
      if (!this.stalledBefore.has(key)) res.write(body.subarray(0, body.length >> 1));
      this.stalledBefore.add(key);
      return;
    }
    if (this.stallOnce.delete(key)) {
      res.write(body.subarray(0, body.length >> 1));
      return;
    }
    if (this.trickle.has(key)) {
      const piece = Math.ceil(body.length / 16);
      const send = (offset: number) => {
        if (offset >= body.length) return void res.end();
        res.write(body.subarray(offset, offset + piece), () => setTimeout(() => send(offset + piece), 40));
      };
      send(0);
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

export function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

/** A loopback URL whose port nothing listens on (connections are refused). */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return url;
}
