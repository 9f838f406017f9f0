// Small HTTP helpers for the playground: bounded body reading, multipart parsing (via the built-in Request),
// JSON and coded-error responses. No routing and no knowledge of jobs here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ErrorCode, MemeError } from '../../errors.ts';
import { errorText } from '../messages.ts';

/** HTTP status for each refusal the service can answer with; anything else is a 400 (the user's input). */
const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  RATE_LIMITED: 429,
  BUSY: 429,
  QUEUE_FULL: 503,
  SHUTTING_DOWN: 503,
  ENGINE_UNAVAILABLE: 503,
  BACKEND_UNAVAILABLE: 503,
  UNKNOWN_JOB: 404,
  NOT_YOURS: 403,
  INTERNAL: 500,
  IMAGE_TOO_LARGE: 413,
  VIDEO_TOO_LARGE: 413,
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/** Answers with `{error: {code, text}}`, the text from the messages table, never a stack trace. */
export function sendError(res: ServerResponse, error: unknown): void {
  const { code, text } = errorText(error);
  sendJson(res, STATUS_OF[code] ?? 400, { error: { code, text } });
}

/**
 * Reads the body, refusing past maxBytes (413) without buffering the rest: with `tooLarge` (the code for the one
 * file the body is), else BAD_OPTION naming the size of the whole upload.
 */
export async function readBody(req: IncomingMessage, maxBytes: number, tooLarge?: 'IMAGE_TOO_LARGE' | 'VIDEO_TOO_LARGE'): Promise<Buffer> {
  const refuse = (bytes: number | undefined) =>
    tooLarge
      ? new MemeError(tooLarge, `upload of ${bytes ?? 'more than'} bytes, over ${maxBytes}`, { bytes, maxBytes })
      : new MemeError('BAD_OPTION', `upload of ${bytes ?? 'more than'} bytes, over ${maxBytes}`, { detail: `the upload is larger than ${Math.round(maxBytes / 2 ** 20)} MB` });
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw refuse(declared);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) throw refuse(undefined);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

interface UploadForm {
  fields: Map<string, string>;
  files: Map<string, { bytes: Buffer; mime: string; name: string }>;
}

/** Parses multipart/form-data or urlencoded bodies with the platform's own parser. */
export async function parseForm(req: IncomingMessage, body: Buffer): Promise<UploadForm> {
  const contentType = req.headers['content-type'] ?? '';
  let form: FormData;
  try {
    form = await new Request('http://playground.local/', { method: 'POST', headers: { 'content-type': contentType }, body: body as unknown as BodyInit }).formData();
  } catch {
    throw new MemeError('BAD_OPTION', 'the upload was not a readable form', { detail: 'the upload could not be read' });
  }
  const fields = new Map<string, string>();
  const files = new Map<string, { bytes: Buffer; mime: string; name: string }>();
  const entries: [string, FormDataEntryValue][] = [];
  form.forEach((value, name) => {
    entries.push([name, value]);
  });
  for (const [name, value] of entries) {
    if (typeof value === 'string') fields.set(name, value);
    else if (value.size > 0) files.set(name, { bytes: Buffer.from(await value.arrayBuffer()), mime: value.type, name: value.name });
  }
  return { fields, files };
}

export function openEventStream(res: ServerResponse): { send(event: string, data: unknown): void; close(): void } {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  res.write(': stream open\n\n');
  // Proxies and browsers drop idle streams; a comment every 15 s keeps the long HelloMeme waits alive.
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  heartbeat.unref();
  return {
    send: (event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
    close: () => {
      clearInterval(heartbeat);
      res.end();
    },
  };
}
