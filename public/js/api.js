// fetch wrapper for the JSON API. The session cookie rides along, and the page key beside it: a
// cookie reaches every server on this host whatever its port, the key (kept in this origin's
// storage) does not. A 401 sends the user to the login form.

/** @typedef {{error: import('../../src/protocol/codes.ts').ApiErrorCode, detail?: string}} ApiErrorBody */

export class ApiError extends Error {
  /** @param {number} status @param {ApiErrorBody | null} body */
  constructor(status, body) {
    super(body?.detail || body?.error || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

const PAGE_KEY_HEADER = 'x-cr-page-key'; // PAGE_KEY_HEADER / PAGE_KEY_PARAM in src/protocol/api.ts
const PAGE_KEY_PARAM = 'pageKey';
const STORE = 'cr.pageKey';
// The push service worker has no localStorage; it reads the key from this origin's Cache Storage.
const SW_CACHE = 'cr-auth';
const SW_ENTRY = '/__page-key';

function storedKey() {
  try {
    return localStorage.getItem(STORE) || '';
  } catch {
    return '';
  }
}

export function setPageKey(key) {
  try {
    localStorage.setItem(STORE, key);
  } catch {}
  if (self.caches)
    caches
      .open(SW_CACHE)
      .then((c) => c.put(SW_ENTRY, new Response(key)))
      .catch(() => {});
}

// Mirror at every start: a service worker update may have cleared Cache Storage.
if (storedKey()) setPageKey(storedKey());

/** A same-origin URL for EventSource / WebSocket (which cannot set headers) with the page key in it. */
export function withPageKey(path) {
  const key = storedKey();
  if (!key) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${PAGE_KEY_PARAM}=${encodeURIComponent(key)}`;
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/** @param {string} path @param {{method?: string, body?: unknown}} [opts] @returns {Promise<any>} */
export async function api(path, opts = {}) {
  return (await request(path, opts)).data;
}

/**
 * Every page of a paged list (GET /api/sessions, /api/prompts): follows X-Next-Cursor to the end,
 * so nothing is cut off at one page. At most `maxPages` requests.
 */
export async function apiAll(path, maxPages = 200) {
  const all = [];
  let cursor = null;
  for (let i = 0; i < maxPages; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const { res, data } = await request(cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path);
    all.push(...(Array.isArray(data) ? data : []));
    cursor = res.headers.get('x-next-cursor'); // NEXT_CURSOR_HEADER in src/protocol/api.ts
    if (!cursor) break;
  }
  return all;
}

/** @param {string} path @param {{method?: string, body?: unknown}} [opts] */
async function request(path, { method = 'GET', body = undefined } = {}) {
  const headers = body === undefined ? {} : { 'Content-Type': 'application/json' };
  const key = storedKey();
  if (key) headers[PAGE_KEY_HEADER] = key;
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await res.json();
  } catch {}
  if (res.status === 401 && path !== '/api/login') onUnauthorized();
  if (!res.ok) throw new ApiError(res.status, data);
  if (path === '/api/login' && data?.pageKey) setPageKey(data.pageKey);
  return { res, data };
}
