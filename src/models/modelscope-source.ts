// ModelScope (modelscope.cn) as a model source, as HelloMeme's own `modelscope=True` path uses it: the same
// repo ids (songkey/...) and file names as on Hugging Face, revision `master`. Its HTTP API (what the
// modelscope SDK calls):
//   GET /api/v1/models/<owner>/<name>/repo/files?Revision=master&Recursive=true
//       → {"Code":200,"Success":true,"Data":{"Files":[{"Path","Name","Size","Sha256","Type":"blob"|"tree"},...]}}
//   GET /api/v1/models/<owner>/<name>/repo?Revision=master&FilePath=<path>   (the bytes; Range works)
// Sizes and sha256 come from the listing, fetched once per repo.
import { MemeError } from '../errors.ts';
import { type HttpResponse, send } from './http-request.ts';
import type { HubFile } from './model-files.ts';
import type { ModelSource, RemoteFileInfo } from './model-source.ts';
import type { ProxyRouter } from './proxy-dispatcher.ts';
import type { StallWatch } from './stall-watch.ts';

export const MODELSCOPE_DEFAULT_ENDPOINT = 'https://www.modelscope.cn';
const REVISION = 'master';

interface ListedFile {
  Path?: string;
  Size?: number;
  Sha256?: string;
  Type?: string;
}

interface Listing {
  Code?: number;
  Success?: boolean;
  Message?: string;
  Data?: { Files?: ListedFile[] };
}

function statusError(what: string) {
  return (status: number, url: URL): MemeError => {
    const hint = status === 404 ? 'not found on ModelScope (check the repo id and MODELSCOPE_DOMAIN)' : `ModelScope answered HTTP ${status}`;
    return new MemeError('ENGINE_UNAVAILABLE', `cannot fetch ${what}: ${hint}`, { status, url: url.toString() });
  };
}

/** Reads a small body, telling the watch about each chunk. */
async function readText(response: HttpResponse, watch: StallWatch): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response.body ?? []) {
    chunks.push(Buffer.from(chunk));
    watch.touch();
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function modelScopeSource(options: { endpoint: string; proxy: ProxyRouter }): ModelSource {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const listings = new Map<string, Map<string, RemoteFileInfo>>();
  const apiBase = (repo: string) => `${endpoint}/api/v1/models/${repo.split('/').map(encodeURIComponent).join('/')}`;

  async function listing(repo: string, watch: StallWatch): Promise<Map<string, RemoteFileInfo>> {
    const cached = listings.get(repo);
    if (cached) return cached;
    const url = `${apiBase(repo)}/repo/files?Revision=${REVISION}&Recursive=true`;
    const response = await send(url, { method: 'GET', watch, proxy: options.proxy, statusError: statusError(repo) });
    let body: Listing;
    try {
      body = JSON.parse(await readText(response, watch)) as Listing;
    } catch (error) {
      if (watch.stalled) throw watch.error;
      throw new MemeError('ENGINE_UNAVAILABLE', `ModelScope's file list for ${repo} is not JSON (${(error as Error).message})`, { retryable: true });
    }
    if (body.Success === false || (body.Code !== undefined && body.Code !== 200) || !Array.isArray(body.Data?.Files)) {
      throw new MemeError('ENGINE_UNAVAILABLE', `ModelScope cannot list ${repo}: ${body.Message ?? `code ${body.Code}`}`, { code: body.Code });
    }
    const files = new Map<string, RemoteFileInfo>();
    for (const f of body.Data.Files) {
      if (f.Type === 'tree' || !f.Path) continue;
      files.set(f.Path, { size: typeof f.Size === 'number' ? f.Size : null, etag: typeof f.Sha256 === 'string' && f.Sha256 ? f.Sha256.toLowerCase() : null });
    }
    listings.set(repo, files);
    return files;
  }

  return {
    name: 'modelscope',
    endpoint,
    async describe(file: HubFile, watch: StallWatch): Promise<RemoteFileInfo> {
      const remote = (await listing(file.repo, watch)).get(file.path);
      if (!remote) throw new MemeError('ENGINE_UNAVAILABLE', `cannot fetch ${file.repo}/${file.path}: not found on ModelScope (check the repo id and MODELSCOPE_DOMAIN)`);
      return remote;
    },
    open(file: HubFile, offset: number, watch: StallWatch): Promise<HttpResponse> {
      const url = `${apiBase(file.repo)}/repo?Revision=${REVISION}&FilePath=${encodeURIComponent(file.path)}`;
      const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
      return send(url, { method: 'GET', headers, watch, proxy: options.proxy, statusError: statusError(`${file.repo}/${file.path}`) });
    },
    close: () => options.proxy.close(),
  };
}
