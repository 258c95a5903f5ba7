// Service worker: keeps the dashboard shell available offline and fast on a slow link.
// Shell files: network first (so an update shows at once), the cache when offline.
// API calls and event streams are never cached. Web Push handlers live in sw-push.js.
importScripts('/sw-push.js');
const CACHE = 'shell-v7';
const SHELL = [
  '/',
  '/app.css',
  '/manifest.webmanifest',
  '/icons/icon.svg',
  '/icons/icon-192.png',
  '/js/app.js',
  '/js/api.js',
  '/js/cards.js',
  '/js/views/devices.js',
  '/js/diff.js',
  '/js/dom.js',
  '/js/input.js',
  '/js/input-socket.js',
  '/js/list.js',
  '/js/live.js',
  '/js/login.js',
  '/js/session.js',
  '/js/terminal.js',
  '/js/views/push.js',
  '/js/search.js',
  '/js/remote.js',
  '/js/usage-line.js',
  '/js/text-size.js',
  '/js/session-menu.js',
  '/fonts/claude-glyphs.woff2',
  // loaded when first opened (not part of the first-load budget), cached for offline use
  '/js/conversation/view.js',
  '/js/conversation/markdown.js',
  '/js/conversation/entries.js',
  '/js/conversation/usage-view.js',
  '/conversation.css',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE && k !== 'cr-auth').map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/events' || url.pathname === '/ws') return;
  event.respondWith(
    fetch(event.request)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(url.pathname === '/index.html' ? '/' : event.request, copy));
        }
        return res;
      })
      .catch(() => caches.match(event.request).then((hit) => hit || caches.match('/'))),
  );
});
