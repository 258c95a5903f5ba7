// Web Push in the service worker (loaded by sw.js with importScripts).
// `push`: show the notification (same prompt → same tag, so a later one replaces it; a resolved
// prompt's notification is replaced by a quiet "answered" one). `notificationclick`: a prompt's answer
// button posts its option to its answer link (the link is the credential; no cookie); Approve / Deny
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
    actions: buttons(p),
  });
}

/** A prompt's own choices if all of them fit (a browser shows `Notification.maxActions`, often 2); else Approve / Deny. */
function buttons(p) {
  const max = typeof Notification !== 'undefined' && Notification.maxActions ? Notification.maxActions : 2;
  const answers = p.answers || [];
  if (answers.length > 0 && answers.length <= max) return answers.map((a) => ({ action: `answer:${a.option}`, title: a.title }));
  return (p.actions || []).filter((a) => a.action !== 'open').map((a) => ({ action: a.action, title: a.title }));
}

self.addEventListener('notificationclick', (event) => {
  const p = event.notification.data || {};
  event.notification.close();
  const answer = (p.answers || []).find((a) => `answer:${a.option}` === event.action);
  if (answer && p.promptId) event.waitUntil(answerByLink(p, answer));
  else if ((event.action === 'approve' || event.action === 'deny') && p.promptId) event.waitUntil(answerPrompt(p, event.action));
  else event.waitUntil(openDashboard(p.url));
});

/**
 * POSTs the option to its answer link and says only what happened: taken → "Answered"; not taken →
 * nothing here (the server's "did not take the answer" notification comes); already answered → so;
 * a link that no longer works, or no answer at all → the dashboard.
 */
async function answerByLink(p, answer) {
  // The link's path on this worker's own origin, which is the server's whatever PUBLIC_URL says.
  const url = new URL(new URL(answer.url, self.location.origin).pathname, self.location.origin);
  let res = null;
  let result = null;
  try {
    res = await fetch(url.href, {
      method: 'POST',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ option: answer.option }),
    });
    result = await res.json().catch(() => null);
  } catch {}
  const quiet = (title, body) =>
    self.registration.showNotification(title, {
      body,
      tag: p.tag,
      silent: true,
      data: { ...p, kind: 'resolved', actions: [], answers: [] },
    });
  if (res && res.ok && result) {
    if (result.delivery === 'taken') return quiet(`Answered: ${answer.title}`, p.body);
    if (result.delivery === 'sent') return quiet(`Sent: ${answer.title}`, 'Claude has not shown it took the answer yet');
    return undefined; // not taken: the server's own notification says so
  }
  // Anything else (answered already, choices changed, link gone): the dashboard shows what is true now.
  return openDashboard(p.url);
}

async function answerPrompt(p, action) {
  const verb = action === 'approve' ? 'approve' : 'reject';
  try {
    const res = await fetch(`/api/prompts/${encodeURIComponent(p.promptId)}/${verb}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'x-cr-page-key': await pageKey() },
      body: '{}',
    });
    if (res.ok) {
      // Sent, not landed: the server's own notification says if Claude does not take it.
      return self.registration.showNotification(`Sent: ${verb === 'approve' ? 'Approve' : 'Deny'}`, {
        body: 'Claude has not shown it took the answer yet',
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
