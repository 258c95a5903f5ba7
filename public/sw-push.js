// Web Push in the service worker (loaded by sw.js with importScripts).
// `push`: show the notification (same prompt → same tag, so a later one replaces it; a resolved
// prompt's notification is replaced by a quiet "answered" one). `notificationclick`: Approve / Deny
// post to the API with the dashboard's session cookie and page key; anything else opens the dashboard.

self.addEventListener('push', (event) => {
  let p = null;
  try {
    p = event.data ? event.data.json() : null;
  } catch {}
  if (!p || !p.title) return;
  event.waitUntil(showPush(p));
});

function showPush(p) {
  const quiet = p.kind === 'resolved';
  return self.registration.showNotification(p.title, {
    body: p.body,
    tag: p.tag,
    renotify: !quiet,
    silent: quiet,
    requireInteraction: p.kind === 'prompt',
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
    timestamp: p.ts,
    data: p,
    actions: (p.actions || []).filter((a) => a.action !== 'open').map((a) => ({ action: a.action, title: a.title })),
  });
}

self.addEventListener('notificationclick', (event) => {
  const p = event.notification.data || {};
  event.notification.close();
  if ((event.action === 'approve' || event.action === 'deny') && p.promptId) event.waitUntil(answerPrompt(p, event.action));
  else event.waitUntil(openDashboard(p.url));
});

async function answerPrompt(p, action) {
  const verb = action === 'approve' ? 'approve' : 'reject';
  try {
    const res = await fetch(`/api/prompts/${encodeURIComponent(p.promptId)}/${verb}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'x-cr-page-key': await pageKey() },
      body: '{}',
    });
    if (res.ok || res.status === 409) {
      const title = res.ok ? (verb === 'approve' ? 'Approved' : 'Denied') : 'Already answered';
      return self.registration.showNotification(title, {
        body: p.body,
        tag: p.tag,
        silent: true,
        data: { ...p, kind: 'resolved', actions: [] },
      });
    }
  } catch {}
  // Logged out, offline or refused: let the user answer in the dashboard.
  return openDashboard(p.url);
}

/** The page key the dashboard mirrored into Cache Storage (api.js): the cookie alone is refused. */
async function pageKey() {
  const hit = await caches
    .open('cr-auth')
    .then((c) => c.match('/__page-key'))
    .catch(() => null);
  return hit ? hit.text() : '';
}

async function openDashboard(url) {
  const target = new URL(url || '/', self.location.origin);
  if (target.origin !== self.location.origin) target.href = self.location.origin + '/';
  const wins = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const w of wins) {
    if (new URL(w.url).origin !== target.origin) continue;
    await w.focus();
    return w.navigate ? w.navigate(target.href).catch(() => {}) : undefined;
  }
  return self.clients.openWindow(target.href);
}
