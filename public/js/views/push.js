// Notifications on this browser: subscribe to Web Push (VAPID key from the server), unsubscribe,
// and the notifier's status (channels, recent delivery failures). `notifySection()` is the panel.
import { api } from '../api.js';
import { age, h, toast } from '../dom.js';

export function pushSupported() {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

function keyBytes(b64url) {
  const raw = atob(b64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (b64url.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function sameKey(sub, key) {
  const k = sub.options?.applicationServerKey;
  if (!k) return true;
  const a = new Uint8Array(k);
  return a.length === key.length && a.every((b, i) => b === key[i]);
}

async function registration() {
  const reg = await navigator.serviceWorker.getRegistration('/');
  return reg || navigator.serviceWorker.register('/sw.js');
}

/** 'unsupported' | 'denied' | 'on' | 'off' */
export async function pushState() {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const reg = await navigator.serviceWorker.getRegistration('/');
  const sub = reg && (await reg.pushManager.getSubscription());
  return sub ? 'on' : 'off';
}

export async function enablePush() {
  if (!pushSupported()) throw new Error('this browser has no Web Push (on iOS: add the dashboard to the home screen first)');
  if ((await Notification.requestPermission()) !== 'granted')
    throw new Error('notifications are blocked for this site in the browser settings');
  const reg = await registration();
  await navigator.serviceWorker.ready;
  const key = keyBytes((await api('/api/push/key')).publicKey);
  let sub = await reg.pushManager.getSubscription();
  if (sub && !sameKey(sub, key)) {
    await sub.unsubscribe();
    sub = null;
  }
  // Chromium hangs here when its push service (FCM) is unreachable: give up with a clear message.
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('the browser could not reach its push service')), 30000));
  sub = sub || (await Promise.race([reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }), timeout]));
  await api('/api/push/subscriptions', { method: 'POST', body: { ...sub.toJSON(), label: navigator.userAgent.slice(0, 200) } });
}

export async function disablePush() {
  const reg = await navigator.serviceWorker.getRegistration('/');
  const sub = reg && (await reg.pushManager.getSubscription());
  if (!sub) return;
  await api('/api/push/subscriptions', { method: 'DELETE', body: { endpoint: sub.endpoint } }).catch(() => {});
  await sub.unsubscribe();
}

const CHANNEL = { webpush: 'Web Push', ntfy: 'ntfy', webhook: 'Webhook' };
const KIND = { prompt: 'prompts', waiting: 'waiting agents', done: 'finished turns', exit: 'exits', cost: 'cost alerts' };
const BLOCKED =
  'Notifications are blocked for this site. To allow them: tap the icon left of the address (a lock or ⓘ) → Permissions or Site settings → Notifications → Allow, then reload this page.';

/** "Web Push: prompts, waiting agents, finished turns, exits · 3 sent, 0 failed" */
function channelLine(c) {
  const kinds = c.kinds.filter((k) => k !== 'resolved'); // answers go with prompts
  const what = c.enabled && kinds.length ? kinds.map((k) => KIND[k] || k).join(', ') : 'off';
  return h(
    'li',
    {},
    h('b', {}, `${CHANNEL[c.name] || c.name}: `),
    what,
    c.enabled ? h('span', { class: 'muted' }, ` · ${c.counters.sent} sent, ${c.counters.failed} failed`) : null,
  );
}

const LABEL = {
  on: 'Turn off notifications',
  off: 'Enable notifications',
  denied: 'Notifications blocked',
  unsupported: 'Notifications unavailable',
};

/** The "Notifications" panel: a switch for this browser and the server's delivery status. */
export function notifySection() {
  const button = h('button', { class: 'btn', type: 'button', id: 'push-toggle' }, '…');
  const note = h('p', { class: 'muted', id: 'push-state' });
  const failures = h('ul', { class: 'notify-failures', id: 'notify-failures' });
  const channels = h('ul', { class: 'notify-channels', id: 'notify-channels' });
  const section = h(
    'section',
    { class: 'notify' },
    h('h2', {}, 'Notifications'),
    h('div', { class: 'row-actions' }, button),
    note,
    channels,
    failures,
  );

  const refresh = async () => {
    const st = await pushState().catch(() => 'unsupported');
    button.textContent = LABEL[st];
    button.disabled = st === 'denied' || st === 'unsupported';
    button.dataset.state = st;
    note.textContent =
      st === 'on'
        ? 'This browser gets a notification for prompts, waiting agents, finished turns and exits.'
        : st === 'denied'
          ? BLOCKED
          : '';
    try {
      const s = await api('/api/notify/status');
      channels.replaceChildren(...s.channels.map(channelLine), h('li', {}, h('b', {}, 'Browsers subscribed: '), String(s.subscriptions)));
      failures.replaceChildren(
        ...s.recentFailures.slice(0, 10).map((f) => h('li', {}, `${age(f.ts)} ago · ${f.channel} ${f.kind} → ${f.target}: ${f.error}`)),
      );
    } catch {}
  };
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      if (button.dataset.state === 'on') await disablePush();
      else await enablePush();
      toast(button.dataset.state === 'on' ? 'Notifications off for this browser' : 'Notifications on for this browser');
    } catch (e) {
      toast(`Could not change notifications: ${e.message}`);
    }
    refresh();
  });
  refresh();
  return section;
}
