// Hugging Face (or a mirror via HF_ENDPOINT) as a model source: files at /<repo>/resolve/<revision>/<path>;
// LFS files answer with a redirect to a CDN carrying X-Linked-Size and X-Linked-Etag (the sha256), small
// files with ETag = git blob sha1. HF_TOKEN goes to the hub's own origin only, never to the CDN.
import { MemeError } from '../errors.ts';
import { type HttpResponse, send } from './http-request.ts';
import type { HubFile } from './model-files.ts';
import type { ModelSource, RemoteFileInfo } from './model-source.ts';
import type { ProxyRouter } from './proxy-dispatcher.ts';
import type { StallWatch } from './stall-watch.ts';

export const HF_DEFAULT_ENDPOINT = 'https://huggingface.co';
const REVISION = 'main';

interface HuggingFaceOptions {
  /** Base URL without a trailing slash (HF_ENDPOINT). */
  endpoint: string;
  /** HF_TOKEN: a Bearer token for the hub's own origin only; never logged. */
  token?: string;
  proxy: ProxyRouter;
}

/** `W/"abc"` → `abc`. */
function normalizeEtag(value: string | null): string | null {
  if (!value) return null;
  return value.replace(/^W\//, '').replace(/^"|"$/g, '') || null;
}

function statusError(file: HubFile) {
  return (status: number, url: URL): MemeError => {
    const hint =
      status === 401 || status === 403
        ? 'access denied (a gated or private repo needs HF_TOKEN)'
        : status === 404
          ? 'not found on the hub (check the repo id and HF_ENDPOINT)'
          : `the hub answered HTTP ${status}`;
    return new MemeError('ENGINE_UNAVAILABLE', `cannot fetch ${file.repo}/${file.path}: ${hint}`, { status, url: url.toString() });
  };
}

export function huggingFaceSource(options: HuggingFaceOptions): ModelSource {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const origin = new URL(endpoint).origin;
  const authFor = (url: URL): Record<string, string> => (options.token && url.origin === origin ? { authorization: `Bearer ${options.token}` } : {});
  const urlOf = (file: HubFile) => `${endpoint}/${file.repo}/resolve/${REVISION}/${file.path.split('/').map(encodeURIComponent).join('/')}`;

  return {
    name: 'huggingface',
    endpoint,
    async describe(file: HubFile, watch: StallWatch): Promise<RemoteFileInfo> {
      const response = await send(urlOf(file), {
        method: 'HEAD',
        watch,
        proxy: options.proxy,
        authFor,
        statusError: statusError(file),
        stopAt: (r) => r.headers.has('x-linked-etag') || r.headers.has('x-linked-size'),
      });
      const length = response.headers.get('x-linked-size') ?? response.headers.get('content-length');
      const size = length !== null && /^\d+$/.test(length) ? Number(length) : null;
      return { size, etag: normalizeEtag(response.headers.get('x-linked-etag') ?? response.headers.get('etag')) };
    },
    open(file: HubFile, offset: number, watch: StallWatch): Promise<HttpResponse> {
      const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
      return send(urlOf(file), { method: 'GET', headers, watch, proxy: options.proxy, authFor, statusError: statusError(file) });
    },
    close: () => options.proxy.close(),
  };
}
