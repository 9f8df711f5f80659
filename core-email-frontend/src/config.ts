// The one place the frontend reads its configuration.
//
// The API base URL comes from `config.json` served next to index.html ({"apiUrl": "http://host:3000"}) when
// that file exists, otherwise from VITE_API_URL at build time, otherwise http://localhost:3000. The run-time
// file lets one built bundle talk to any API without a rebuild: the nginx container writes it from API_URL,
// and the browser test serves its own.

export interface AppConfig {
  /** Producer base URL without a trailing slash, e.g. http://localhost:3000 (routes add /api/...). */
  apiUrl: string;
}

const DEFAULT_API_URL = 'http://localhost:3000';

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

async function readRuntimeConfig(): Promise<Partial<AppConfig>> {
  const response = await fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' });
  // No file (404), or a dev server / SPA fallback answering with index.html: nothing to override.
  const isJson = (response.headers.get('content-type') ?? '').includes('json');
  if (!response.ok || !isJson) return {};
  const body: unknown = await response.json();
  const apiUrl = (body as { apiUrl?: unknown } | null)?.apiUrl;
  if (typeof apiUrl !== 'string' || apiUrl === '') {
    console.warn('config.json has no "apiUrl" string; using the build-time API URL');
    return {};
  }
  return { apiUrl };
}

export async function loadConfig(): Promise<AppConfig> {
  const buildTime = import.meta.env.VITE_API_URL || DEFAULT_API_URL;
  try {
    const runtime = await readRuntimeConfig();
    return { apiUrl: withoutTrailingSlash(runtime.apiUrl ?? buildTime) };
  } catch (error) {
    console.warn('could not read config.json; using the build-time API URL', error);
    return { apiUrl: withoutTrailingSlash(buildTime) };
  }
}
