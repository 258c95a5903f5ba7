// Live state from the global event stream (/events): sessions and prompts, plus online/offline.
// The server sends `resync` on a first connect and whenever it cannot replay what we missed (e.g.
// after a restart: the old Last-Event-ID names another bootId); we then refetch everything.
// Events that arrive while a refetch is in flight are queued and applied after it, so a stale
// list never overwrites a newer event.
// Event names and payloads are src/protocol/events.ts (`EventMap`); tsc checks them (tsconfig.dashboard.json).
import { api, apiAll, withPageKey } from './api.js';

/** @typedef {import('../../src/protocol/events.ts').EventMap} EventMap */
/** @typedef {import('../../src/protocol/common.ts').SessionInfo} SessionInfo */
/** @typedef {import('../../src/protocol/prompts.ts').Prompt} Prompt */

export const state = {
  /** @type {Map<string, SessionInfo>} */
  sessions: new Map(),
  /** @type {Map<string, Prompt>} id -> prompt; resolved ones stay a while so their card can show how it ended. */
  prompts: new Map(),
  /** session id -> {tokens, costUsd, turns, partial, lastId} from the transcript (usage-line.js). */
  usage: new Map(),
  online: true,
  bootId: null,
};

const subs = new Set();
export function subscribe(fn) {
  subs.add(fn);
  return () => subs.delete(fn);
}
function changed(what, data) {
  for (const fn of subs) fn(what, data);
}

const KEEP_RESOLVED_MS = 10 * 60 * 1000;

let es = null;
let retry = 0;
let backoff = 1000;
let offlineTimer = 0;
let queue = null; // events held back during a refetch

export function startLive() {
  connect();
  addEventListener('online', () => reconnectNow());
  addEventListener('offline', () => setOnline(false));
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && (!es || es.readyState === EventSource.CLOSED)) reconnectNow();
  });
}

export function reconnectNow() {
  clearTimeout(retry);
  connect();
}

function connect() {
  es?.close();
  const src = new EventSource(withPageKey('/events'));
  es = src;
  src.onopen = () => {
    backoff = 1000;
    setOnline(true);
  };
  src.onerror = () => {
    if (es !== src) return;
    if (!offlineTimer) offlineTimer = setTimeout(() => src.readyState !== EventSource.OPEN && setOnline(false), 1500);
    // CONNECTING: the browser retries by itself. CLOSED (an HTTP error): we retry, backing off.
    if (src.readyState === EventSource.CLOSED) {
      clearTimeout(retry);
      retry = setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 15000);
      api('/api/me').catch(() => {}); // a 401 here shows the login form
    }
  };
  /**
   * @template {keyof EventMap} E
   * @param {E} name
   * @param {(data: EventMap[E]) => void} fn
   */
  const on = (name, fn) =>
    onEvent(src, name, (data) => {
      if (queue && name !== 'resync' && name !== 'hello') queue.push(() => fn(data));
      else fn(data);
    });
  on('hello', (d) => {
    state.bootId = d.bootId;
    changed('boot');
  });
  on('resync', () => refetch());
  on('session', (d) => {
    state.sessions.set(d.session.id, d.session);
    changed('sessions');
  });
  on('session.deleted', (d) => {
    state.sessions.delete(d.sessionId);
    changed('sessions');
  });
  on('device', (d) => changed('devices', d));
  on('transcript', (d) => {
    state.usage.set(d.sessionId, { ...d.usage, partial: d.partial, lastId: d.lastId });
    changed('usage');
  });
  on('prompt', (d) => upsertPrompt(d.prompt));
}

/**
 * Listens to one server event on an EventSource, its data parsed as `EventMap[E]`.
 * @template {keyof EventMap} E
 * @param {EventSource} src
 * @param {E} name
 * @param {(data: EventMap[E]) => void} fn
 */
export function onEvent(src, name, fn) {
  src.addEventListener(name, (e) => fn(JSON.parse(/** @type {MessageEvent} */ (e).data)));
}

function setOnline(online) {
  clearTimeout(offlineTimer);
  offlineTimer = 0;
  if (state.online === online) return;
  state.online = online;
  changed('online');
}

export async function refetch() {
  queue = queue || [];
  try {
    const [sessions, prompts, usage] = await Promise.all([
      apiAll('/api/sessions?limit=500'),
      fetchPending(),
      api('/api/usage?by=session').catch(() => null),
    ]);
    state.sessions = new Map(sessions.map((s) => [s.id, s]));
    if (usage)
      for (const b of usage.buckets)
        state.usage.set(b.key, {
          ...state.usage.get(b.key),
          tokens: b.usage.input + b.usage.output + b.usage.cacheRead + b.usage.cacheWrite,
          costUsd: b.usage.costUsd,
          turns: b.turns ?? 0,
        });
    if (prompts) {
      const pendingIds = new Set(prompts.map((p) => p.id));
      for (const [id, p] of state.prompts) if (p.status === 'pending' && !pendingIds.has(id)) await settleMissing(id);
      for (const p of prompts) state.prompts.set(p.id, p);
    }
    setOnline(true);
  } catch {
    // offline or logged out: the banner / login form says so; the next resync tries again
  } finally {
    const q = queue;
    queue = null;
    for (const fn of q) fn();
    changed('sessions');
    changed('prompts');
    changed('usage');
  }
}

/** @returns {Promise<Prompt[]>} every page: a flood of prompts must not push one the user has to answer out of view */
function fetchPending() {
  return apiAll('/api/prompts?status=pending&limit=500');
}

/** A prompt we showed as pending is no longer pending: learn how it ended, or drop it. */
async function settleMissing(id) {
  try {
    state.prompts.set(id, await api(`/api/prompts/${encodeURIComponent(id)}`));
  } catch {
    state.prompts.delete(id);
  }
}

/** @param {Prompt} p */
function upsertPrompt(p) {
  const old = state.prompts.get(p.id);
  state.prompts.set(p.id, old ? { ...old, ...p } : p);
  prune();
  changed('prompts');
}

function prune() {
  const cutoff = Date.now() - KEEP_RESOLVED_MS;
  for (const [id, p] of state.prompts) if (p.status !== 'pending' && (p.resolvedAt || p.createdAt || 0) < cutoff) state.prompts.delete(id);
}

export function pendingFor(sessionId) {
  let n = 0;
  for (const p of state.prompts.values()) if (p.status === 'pending' && p.sessionId === sessionId) n++;
  return n;
}

/** Prompts to show as cards: pending ones first (oldest first), then recently resolved. */
export function promptsToShow(sessionId) {
  const list = [...state.prompts.values()].filter((p) => !sessionId || p.sessionId === sessionId);
  const rank = (p) => (p.status === 'pending' ? 0 : 1);
  return list.sort((a, b) => rank(a) - rank(b) || (rank(a) ? b.createdAt - a.createdAt : a.createdAt - b.createdAt));
}
