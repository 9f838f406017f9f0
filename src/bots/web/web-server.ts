// The local playground: a tiny node:http server with one static page, a JSON/SSE API over the same MemeService
// the chat adapters use, plus /healthz and /metrics. A chosen photo or clip is sent to /api/check at once (the
// service's checks) before the page offers templates. Binds to 127.0.0.1 by default; it holds no meme logic.
import { opsRoutes } from '../../ops-server.ts';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../config.ts';
import { MemeError } from '../../errors.ts';
import { STYLE_PRESETS } from '../../models/model-files.ts';
import { parseFaceChoice } from '../../pipeline/face/face-choice.ts';
import type { EngineName } from '../../pipeline/meme-spec.ts';
import type { OutputFormat } from '../../pipeline/types.ts';
import type { Logger } from '../../logger.ts';
import { clipTrimmedText, limitsText } from '../messages.ts';
import type { CoreMemeService } from '../service.ts';
import type { MemeRequest, Replier } from '../service-types.ts';
import { openEventStream, parseForm, readBody, sendError, sendJson } from './http-io.ts';
import { WebJobHub } from './web-jobs.ts';
import { WebSessions } from './web-sessions.ts';

const PAGE_PATH = fileURLToPath(new URL('./static/index.html', import.meta.url));
const JOB_ROUTE = /^\/api\/jobs\/([0-9a-f-]{36})\/(events|result|cancel|keep|reroll|variant)$/;

export interface WebServer {
  url: string;
  /** The playground's Replier, so a restarted process can deliver jobs submitted before (remote backend). */
  replier: Replier;
  close(): Promise<void>;
}

interface WebServerDeps {
  config: Config;
  service: CoreMemeService;
  logger: Logger;
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export async function startWebServer(deps: WebServerDeps): Promise<WebServer> {
  const page = await readFile(PAGE_PATH);
  const hub = new WebJobHub();
  const routes = createRoutes(deps, hub, page);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://playground.local');
    const started = Date.now();
    res.on('finish', () => deps.logger.debug('http', { method: req.method, path: url.pathname, status: res.statusCode, ms: Date.now() - started }));
    void dispatch(routes, req, res, url).catch((error: unknown) => {
      deps.logger.warn('web request failed', { path: url.pathname, error });
      if (!res.headersSent) sendError(res, error);
      else res.end();
    });
  });
  await listen(server, deps.config.web.host, deps.config.web.port);
  const { port } = server.address() as AddressInfo;
  const url = `http://${deps.config.web.host}:${port}`;
  return {
    url,
    replier: hub.replier,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function dispatch(routes: Record<string, Handler>, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const exact = routes[`${req.method} ${url.pathname}`];
  if (exact) return exact(req, res, url);
  const job = JOB_ROUTE.exec(url.pathname);
  const jobHandler = job && routes[`${req.method} job:${job[2]}`];
  if (jobHandler) return jobHandler(req, res, url);
  const preview = /^\/templates\/([a-z0-9-]+)\/preview\.gif$/.exec(url.pathname);
  if (req.method === 'GET' && preview) return routes['GET preview'](req, res, url);
  sendJson(res, 404, { error: { code: 'FILE_NOT_FOUND', text: 'not found' } });
}

function jobIdOf(url: URL): string {
  return JOB_ROUTE.exec(url.pathname)![1];
}

function createRoutes({ config, service, logger }: WebServerDeps, hub: WebJobHub, page: Buffer): Record<string, Handler> {
  const { limits } = config;
  const sessions = new WebSessions();
  /** A new job of this request's session (only it may keep or cancel the job). */
  const owned = (req: IncomingMessage, res: ServerResponse, ref: { jobId: string }) => {
    sessions.own(ref.jobId, sessions.of(req, res));
    return ref;
  };
  // A form holds one photo and at most one clip, plus a few short fields.
  const maxUploadBytes = limits.maxPhotoBytes + limits.maxDriverBytes + 64 * 1024;
  return {
    'GET /': (req, res) => {
      sessions.of(req, res);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(page);
    },
    ...opsRoutes({
      registry: service.metrics.registry,
      health: () => {
        const stats = service.stats();
        return { ok: stats.queue.accepting, body: { ...stats } };
      },
    }),
    'GET /api/templates': (_req, res) => {
      const templates = service.templates.list().map((t) => ({
        id: t.id,
        title: t.title,
        tags: t.tags,
        defaultCaption: t.defaultCaption ?? {},
        previewUrl: `/templates/${t.id}/preview.gif`,
      }));
      sendJson(res, 200, { templates, limits, limitsText: limitsText(limits) });
    },
    // The body is the file itself (what the page's file input holds), checked as a photo or as a clip.
    'POST /api/check': async (req, res, url) => {
      try {
        const kind = url.searchParams.get('kind') === 'clip' ? 'clip' : 'photo';
        const bytes = kind === 'photo' ? await readBody(req, limits.maxPhotoBytes, 'IMAGE_TOO_LARGE') : await readBody(req, limits.maxDriverBytes, 'VIDEO_TOO_LARGE');
        const checked = await service.inspect(kind === 'photo' ? { photo: bytes } : { clip: bytes });
        const note = checked.clip?.trimmed ? clipTrimmedText(checked.clip.durationSec, limits.maxDriverSeconds) : undefined;
        sendJson(res, 200, { ok: true, ...checked, ...(note ? { note } : {}) });
      } catch (error) {
        sendError(res, error);
      }
    },
    'GET /api/styles': (_req, res) => {
      // Every HelloMeme style; `installed` is false for one this bot cannot render, null when its workers decide.
      const { engines, styles: installed } = service.stats();
      const styles = STYLE_PRESETS.map((s) => ({ id: s.id, label: s.label, installed: installed ? installed.includes(s.id) : null }));
      sendJson(res, 200, { styles, hellomeme: engines.includes('hellomeme') });
    },
    'GET preview': (_req, res, url) => {
      const id = url.pathname.split('/')[2];
      if (!service.templates.has(id)) return sendError(res, new MemeError('UNKNOWN_TEMPLATE', id, { templateId: id }));
      res.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'public, max-age=3600' });
      createReadStream(service.templates.get(id).previewPath).on('error', () => res.end()).pipe(res);
    },
    'POST /api/jobs': async (req, res) => {
      try {
        const form = await parseForm(req, await readBody(req, maxUploadBytes));
        const ref = owned(req, res, await service.submit(toRequest(form, req.headers['accept-language']), hub.replier));
        logger.debug('web job submitted', { jobId: ref.jobId });
        sendJson(res, 202, ref);
      } catch (error) {
        sendError(res, error);
      }
    },
    'GET job:events': (req, res, url) => streamEvents(hub, jobIdOf(url), req, res),
    'GET job:result': (_req, res, url) => {
      const result = hub.result(jobIdOf(url));
      if (!result) return sendError(res, new MemeError('UNKNOWN_JOB', 'no result'));
      const headers: Record<string, string> = { 'content-type': result.mime, 'content-length': String(result.bytes.length) };
      if (url.searchParams.has('download')) headers['content-disposition'] = `attachment; filename="memeloom.${result.format}"`;
      res.writeHead(200, headers);
      res.end(result.bytes);
    },
    // Only the session that made the request may stop it or keep its preview; others are told so and nothing changes.
    'POST job:cancel': (req, res, url) => {
      sessions.check(jobIdOf(url), req);
      sendJson(res, 200, { cancelled: service.cancel(jobIdOf(url)) });
    },
    // "Keep this one": the preview on screen is the meme; its HD version is not made.
    'POST job:keep': (req, res, url) => {
      sessions.check(jobIdOf(url), req);
      sendJson(res, 200, { kept: service.keepPreview(jobIdOf(url)) });
    },
    'POST job:reroll': async (req, res, url) => {
      try {
        sendJson(res, 202, owned(req, res, await service.reroll(jobIdOf(url), hub.replier)));
      } catch (error) {
        sendError(res, error);
      }
    },
    'POST job:variant': async (req, res, url) => {
      try {
        const format = url.searchParams.get('format') as OutputFormat;
        // The engine of the meme on screen (a kept preview is warp's), so the variant is that meme in another format.
        const engine = url.searchParams.get('engine');
        const onScreen = engine === 'warp' || engine === 'hellomeme' ? { engine: engine as EngineName, upgrade: false } : {};
        sendJson(res, 202, owned(req, res, await service.rerender(jobIdOf(url), { format, ...onScreen }, hub.replier)));
      } catch (error) {
        sendError(res, error);
      }
    },
  };
}

/** `language`: the browser's Accept-Language (its first tag decides the failure texts' language). */
function toRequest(form: Awaited<ReturnType<typeof parseForm>>, language?: string): MemeRequest {
  const photo = form.files.get('photo');
  if (!photo) throw new MemeError('NO_PHOTO', 'no photo in the upload');
  const driver = form.files.get('driver');
  const user = (form.fields.get('user') ?? '').replace(/[^A-Za-z0-9-]/g, '').slice(0, 64) || 'anonymous';
  const text = (name: string) => form.fields.get(name)?.trim() || undefined;
  const top = text('top');
  const bottom = text('bottom');
  const format = (text('format') ?? 'gif') as OutputFormat;
  const style = text('style');
  return {
    platform: 'web',
    userId: `web:${user}`,
    photo: photo.bytes,
    photoMime: photo.mime,
    templateId: driver ? undefined : text('template'),
    driver: driver ? { bytes: driver.bytes, mime: driver.mime } : undefined,
    captions: top || bottom ? { top, bottom } : undefined,
    noCaption: ['1', 'on', 'true'].includes(text('noCaption') ?? ''),
    format,
    priority: 'full',
    ...(style ? { style } : {}),
    language,
    ...(text('face') ? { face: parseFaceChoice(text('face')!) } : {}),
  };
}

function streamEvents(hub: WebJobHub, jobId: string, req: IncomingMessage, res: ServerResponse): void {
  const stream = openEventStream(res);
  let unsubscribe: () => void = () => undefined;
  unsubscribe = hub.subscribe(jobId, (event) => {
    stream.send(event.event, event.data);
    if (event.event === 'done' || event.event === 'failed') {
      // Ends after the replayed or live final event; setImmediate lets subscribe() return first.
      setImmediate(() => {
        unsubscribe();
        stream.close();
      });
    }
  });
  req.on('close', () => {
    unsubscribe();
    stream.close();
  });
}
