// The variables `models pull` and `models list --remote` read (passed in; this module reads no process.env):
//   MEMELOOM_MODELS_SOURCE         huggingface (default) | modelscope
//   HF_ENDPOINT, HF_TOKEN          Hugging Face mirror and token
//   MODELSCOPE_DOMAIN              ModelScope host or URL (as the modelscope SDK reads it)
//   MEMELOOM_MODELS_STALL_TIMEOUT_MS  no byte for this long → resume (default 30000)
//   HTTPS_PROXY, HTTP_PROXY, NO_PROXY (and lower-case forms)
// and what to tell the user to check when the source cannot be reached.
import { InputError } from '../errors.ts';
import { HF_DEFAULT_ENDPOINT, huggingFaceSource } from './huggingface-source.ts';
import type { ModelSource } from './model-source.ts';
import { MODELSCOPE_DEFAULT_ENDPOINT, modelScopeSource } from './modelscope-source.ts';
import { ProxyRouter, type ProxySettings, redactedProxy } from './proxy-dispatcher.ts';
import { DEFAULT_STALL_TIMEOUT_MS } from './transfer-retry.ts';

const SOURCE_NAMES = ['huggingface', 'modelscope'] as const;
type SourceName = (typeof SOURCE_NAMES)[number];

interface PullSettings {
  source: SourceName;
  /** The source's base URL. */
  endpoint: string;
  /** Whether the endpoint came from HF_ENDPOINT / MODELSCOPE_DOMAIN (for the hint). */
  endpointFromEnv: boolean;
  /** HF_TOKEN (Hugging Face only). */
  token?: string;
  stallTimeoutMs: number;
  proxy: ProxySettings;
}

type Env = Record<string, string | undefined>;

const pick = (env: Env, ...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');

function withScheme(value: string): string {
  return /^https?:\/\//i.test(value) ? value : `https://${value}`;
}

function checkedUrl(variable: string, value: string): string {
  try {
    return new URL(value).toString().replace(/\/+$/, '');
  } catch {
    throw new InputError('BAD_OPTION', `${variable} is not a URL: '${value}'`, { detail: variable });
  }
}

/** `source` (the --source flag) wins over MEMELOOM_MODELS_SOURCE. */
export function pullSettingsFrom(env: Env, source?: string): PullSettings {
  const name = (source ?? pick(env, 'MEMELOOM_MODELS_SOURCE') ?? 'huggingface').toLowerCase();
  if (!(SOURCE_NAMES as readonly string[]).includes(name)) {
    throw new InputError('BAD_OPTION', `unknown model source '${name}' (MEMELOOM_MODELS_SOURCE or --source: ${SOURCE_NAMES.join(' or ')})`, { detail: 'MEMELOOM_MODELS_SOURCE' });
  }
  const stallText = pick(env, 'MEMELOOM_MODELS_STALL_TIMEOUT_MS');
  const stallTimeoutMs = stallText === undefined ? DEFAULT_STALL_TIMEOUT_MS : Number(stallText);
  if (!Number.isInteger(stallTimeoutMs) || stallTimeoutMs < 50) {
    throw new InputError('BAD_OPTION', `MEMELOOM_MODELS_STALL_TIMEOUT_MS must be a whole number of milliseconds ≥ 50 (got '${stallText}')`);
  }
  const proxy: ProxySettings = {
    httpsProxy: pick(env, 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'),
    httpProxy: pick(env, 'HTTP_PROXY', 'http_proxy'),
    noProxy: pick(env, 'NO_PROXY', 'no_proxy'),
  };
  if (name === 'modelscope') {
    const domain = pick(env, 'MODELSCOPE_DOMAIN');
    const endpoint = checkedUrl('MODELSCOPE_DOMAIN', domain ? withScheme(domain) : MODELSCOPE_DEFAULT_ENDPOINT);
    return { source: 'modelscope', endpoint, endpointFromEnv: domain !== undefined, stallTimeoutMs, proxy };
  }
  const hfEndpoint = pick(env, 'HF_ENDPOINT');
  const endpoint = checkedUrl('HF_ENDPOINT', hfEndpoint ?? HF_DEFAULT_ENDPOINT);
  return { source: 'huggingface', endpoint, endpointFromEnv: hfEndpoint !== undefined, token: pick(env, 'HF_TOKEN'), stallTimeoutMs, proxy };
}

export function openModelSource(settings: PullSettings): ModelSource {
  const proxy = new ProxyRouter(settings.proxy);
  return settings.source === 'modelscope'
    ? modelScopeSource({ endpoint: settings.endpoint, proxy })
    : huggingFaceSource({ endpoint: settings.endpoint, token: settings.token, proxy });
}

/** What to check when the source cannot be reached or stalls: the endpoint variable, the proxy, the other source. */
export function reachabilityHint(settings: PullSettings): string {
  const hf = settings.source === 'huggingface';
  const variable = hf ? 'HF_ENDPOINT' : 'MODELSCOPE_DOMAIN';
  const endpoint = `${variable} (${settings.endpoint}${settings.endpointFromEnv ? '' : ', the default'})`;
  const url = new URL(settings.endpoint);
  const proxy = new ProxyRouter(settings.proxy).proxyFor(url);
  const proxyVariable = url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY';
  const proxyText = proxy ? `the proxy (${redactedProxy(proxy)})` : `the proxy (${proxyVariable} is not set; behind a proxy, set it)`;
  const other = hf
    ? 'or set MEMELOOM_MODELS_SOURCE=modelscope to download the same files from ModelScope'
    : 'or set MEMELOOM_MODELS_SOURCE=huggingface to use Hugging Face';
  return `check ${endpoint}, ${proxyText} and the network, ${other}`;
}
