// downloadBytes against a local HTTP server: byte caps by header and by stream, HTTP errors as coded errors.
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadBytes } from '../../../src/bots/discord/media-download.ts';

let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const body = Buffer.alloc(20_000, 7);
    if (req.url === '/small') return void res.end(body.subarray(0, 2_000));
    if (req.url === '/declared') {
      res.writeHead(200, { 'content-length': body.length });
      return void res.end(body);
    }
    if (req.url === '/chunked') {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      for (let i = 0; i < 20; i++) res.write(body.subarray(i * 1_000, (i + 1) * 1_000));
      return void res.end();
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('downloadBytes', () => {
  it('returns the bytes of a file under the cap', async () => {
    const bytes = await downloadBytes(`${base}/small`, 10_000, 'photo');
    expect(bytes.length).toBe(2_000);
    expect(bytes[0]).toBe(7);
  });

  it('refuses a file whose declared length is over the cap', async () => {
    await expect(downloadBytes(`${base}/declared`, 10_000, 'photo')).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' });
  });

  it('stops reading a stream that grows past the cap', async () => {
    await expect(downloadBytes(`${base}/chunked`, 10_000, 'clip')).rejects.toMatchObject({ code: 'VIDEO_TOO_LARGE' });
  });

  it('turns an HTTP error into a coded input error', async () => {
    await expect(downloadBytes(`${base}/gone`, 10_000, 'photo')).rejects.toMatchObject({ code: 'NOT_AN_IMAGE' });
    await expect(downloadBytes(`${base}/gone`, 10_000, 'clip')).rejects.toMatchObject({ code: 'VIDEO_UNREADABLE' });
  });
});
