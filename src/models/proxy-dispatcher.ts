// Routes model downloads through HTTPS_PROXY / HTTP_PROXY unless NO_PROXY lists the host, as curl and pip
// do (Node's own fetch ignores these variables). One undici ProxyAgent per proxy URL, made on first use.
import { type Dispatcher, ProxyAgent } from 'undici';

export interface ProxySettings {
  /** For https:// URLs (HTTPS_PROXY, else HTTP_PROXY). */
  httpsProxy?: string;
  /** For http:// URLs (HTTP_PROXY). */
  httpProxy?: string;
  /** Comma- or space-separated hosts (`.example.org` and `*.example.org` match subdomains, `*` matches all). */
  noProxy?: string;
}

function bypasses(noProxy: string | undefined, url: URL): boolean {
  if (!noProxy) return false;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((raw) => {
      const entry = raw.toLowerCase();
      if (entry === '*') return true;
      const [name, port] = entry.replace(/^\*?\./, '.').split(/:(?=\d+$)/);
      if (port && port !== (url.port || (url.protocol === 'https:' ? '443' : '80'))) return false;
      return name.startsWith('.') ? host.endsWith(name) || host === name.slice(1) : host === name;
    });
}

/** A proxy URL without its user name and password, for messages. */
export function redactedProxy(proxy: string): string {
  try {
    const url = new URL(proxy);
    if (url.username || url.password) {
      url.username = '***';
      url.password = '';
    }
    return url.toString().replace(/\/$/, '');
  } catch {
    return '(not a URL)';
  }
}

export class ProxyRouter {
  private readonly agents = new Map<string, ProxyAgent>();

  constructor(readonly settings: ProxySettings) {}

  /** The proxy URL a request to `url` goes through, or undefined for a direct connection. */
  proxyFor(url: URL): string | undefined {
    const proxy = url.protocol === 'https:' ? this.settings.httpsProxy : this.settings.httpProxy;
    return proxy && !bypasses(this.settings.noProxy, url) ? proxy : undefined;
  }

  /** undici dispatcher for `url`: a ProxyAgent, or undefined for undici's default agent. */
  dispatcherFor(url: URL): Dispatcher | undefined {
    const proxy = this.proxyFor(url);
    if (!proxy) return undefined;
    let agent = this.agents.get(proxy);
    if (!agent) {
      agent = new ProxyAgent(proxy);
      this.agents.set(proxy, agent);
    }
    return agent;
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((agent) => agent.close()));
    this.agents.clear();
  }
}
