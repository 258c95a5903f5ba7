// Entry point: login, routing (#/, #/s/<id>, #/devices, #/pair, #/search, #/new), the visual viewport, the service worker.
import { api, setUnauthorizedHandler } from './api.js';
import { $ } from './dom.js';
import { listView } from './list.js';
import { refetch, startLive, state, subscribe } from './live.js';
import { credentialsFromFragment, login, loginView } from './login.js';
import { newSessionView } from './remote.js';
import { searchView } from './search.js';
import { sessionView } from './session.js';

const view = $('#view');
let cleanup = null;
let started = false;

function route() {
  cleanup?.();
  cleanup = null;
  view.className = 'view';
  const hash = location.hash || '#/';
  const m = /^#\/s\/(.+)$/.exec(hash);
  let tab = 'list';
  if (m) cleanup = sessionView(view, decodeURIComponent(m[1]));
  else if (hash === '#/devices') (tab = 'devices'), (cleanup = lazyView('./views/devices.js', 'devicesView'));
  else if (hash === '#/pair') (tab = 'devices'), (cleanup = lazyView('./views/devices.js', 'pairView'));
  else if (hash === '#/search') (tab = 'search'), (cleanup = searchView(view));
  else if (hash === '#/new') (tab = 'new'), (cleanup = newSessionView(view));
  else if (hash === '#/usage') (tab = 'usage'), (cleanup = lazyView('./conversation/usage-view.js', 'usageView'));
  else cleanup = listView(view);
  document.body.classList.toggle('in-session', !!m);
  for (const a of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('#tabs a')))
    a.classList.toggle('on', a.dataset.tab === tab && !m);
}

/** A view whose module loads on first use (outside the first-load budget). */
function lazyView(path, name) {
  let done = null;
  let gone = false;
  import(path).then(
    (m) => !gone && (done = m[name](view)),
    () => (view.textContent = 'Could not load this page.'),
  );
  return () => ((gone = true), done?.());
}

function showLogin(message) {
  cleanup?.();
  cleanup = null;
  document.body.classList.remove('in-session');
  $('#tabs').hidden = true;
  view.className = 'view';
  loginView(view, () => start(), message);
}

async function start() {
  $('#tabs').hidden = false;
  if (!started) {
    started = true;
    startLive(); // its first `resync` fetches sessions and prompts
    addEventListener('hashchange', route);
  } else refetch();
  route();
}

// Keep the app inside the visual viewport: when a soft keyboard opens, the input bar moves up with it.
function trackViewport() {
  const vv = window.visualViewport;
  if (!vv) return;
  const root = document.documentElement.style;
  const update = () => {
    root.setProperty('--vvh', `${vv.height}px`);
    root.setProperty('--vvt', `${vv.offsetTop}px`);
  };
  vv.addEventListener('resize', update);
  vv.addEventListener('scroll', update);
  update();
}

subscribe((what) => {
  if (what === 'online') $('#offline').hidden = state.online;
});

async function boot() {
  trackViewport();
  setUnauthorizedHandler(() => showLogin('Please log in again.'));
  const credentials = credentialsFromFragment();
  if (credentials) {
    try {
      await login(credentials);
    } catch (e) {
      // a phone already logged in that opens a link again (used, or refused for any reason) stays in
      const loggedIn = await api('/api/me').then(
        () => true,
        () => false,
      );
      if (!loggedIn && e.status === 401)
        return showLogin(
          credentials.ticket
            ? 'That login link was already used or has expired. Run `claude-remote login-link` on the server for a new one, or paste the admin token.'
            : 'That login link is not valid (any more).',
        );
      if (!loggedIn && e.status) return showLogin(`Could not log in: ${e.message}`);
      // no status: the server is unreachable; the check below shows the offline banner
    }
  }
  try {
    await api('/api/me');
  } catch (e) {
    if (e.status === 401) return showLogin();
    $('#offline').hidden = false; // server unreachable: start anyway, the streams retry
  }
  start();
}

if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
boot();
