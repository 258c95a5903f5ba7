// Devices (paired machines: list, revoke), "Add device" (a one-time pairing code) and "Log in a phone" (a one-time login link).
import { api } from '../api.js';
import { age, h, toast } from '../dom.js';
import { subscribe } from '../live.js';
import { notifySection } from './push.js';

export function devicesView(root) {
  const list = h('ul', { class: 'devices' });
  const status = h('p', { class: 'muted pad' }, 'Loading…');
  const phone = h('div', { class: 'form', hidden: true, 'aria-label': 'login link' });
  const phoneBtn = h('button', { class: 'btn', type: 'button' }, 'Log in a phone');
  phoneBtn.addEventListener('click', () => showLoginLink(phone));
  root.replaceChildren(
    h('div', { class: 'row-actions' }, h('a', { class: 'btn primary', href: '#/pair' }, '+ Add device'), phoneBtn),
    phone,
    h('h2', {}, 'Paired devices'),
    status,
    list,
    notifySection(),
  );

  const load = async () => {
    try {
      const devices = await api('/api/devices');
      const active = devices.filter((d) => !d.revokedAt);
      status.hidden = active.length > 0;
      status.textContent = 'No devices yet. Add one to start streaming sessions.';
      list.replaceChildren(...active.map((d) => deviceRow(d, load)));
    } catch (e) {
      status.hidden = false;
      status.textContent = `Could not load devices: ${e.message}`;
    }
  };
  load();
  const unsub = subscribe((what) => (what === 'devices' || what === 'sessions') && load());
  return unsub;
}

/** A one-time login link (10 minutes) as a QR code for another phone, and as text to copy. */
async function showLoginLink(out) {
  out.hidden = false;
  out.replaceChildren(h('p', { class: 'muted' }, 'Creating a login link…'));
  try {
    const r = await api('/api/login-links', { method: 'POST' });
    const qr =
      typeof r.qrDataUrl === 'string' && r.qrDataUrl.startsWith('data:image/')
        ? h('img', { class: 'qr', src: r.qrDataUrl, alt: 'QR code of the login link' })
        : null;
    out.replaceChildren(
      h('p', {}, 'Scan with the other phone. The link works once, within 10 minutes:'),
      qr,
      h('pre', { class: 'code', 'aria-label': 'login link URL' }, r.url),
    );
  } catch (e) {
    out.replaceChildren(h('p', { class: 'error' }, `Could not create a login link: ${e.message}`));
  }
}

function deviceRow(d, reload) {
  const seen = d.online ? 'online now' : d.lastSeenAt ? `last seen ${age(d.lastSeenAt)} ago` : 'never connected';
  const revoke = h('button', { class: 'btn danger', type: 'button' }, 'Revoke');
  revoke.addEventListener('click', async () => {
    if (!confirm(`Revoke “${d.name}”? It will be disconnected and must be paired again.`)) return;
    revoke.disabled = true;
    try {
      await api(`/api/devices/${encodeURIComponent(d.id)}`, { method: 'DELETE' });
      toast(`${d.name} revoked`);
      reload();
    } catch (e) {
      toast(`Could not revoke: ${e.message}`);
      revoke.disabled = false;
    }
  });
  return h(
    'li',
    { class: 'device', dataset: { id: d.id } },
    h('span', { class: `dot${d.online ? ' on' : ''}`, title: d.online ? 'online' : 'offline' }),
    h('div', { class: 'info' }, h('div', {}, d.name), h('div', { class: 'sub' }, `${d.host || 'unknown host'} · ${seen}`)),
    revoke,
  );
}

export function pairView(root) {
  const out = h('div', { class: 'form' });
  root.replaceChildren(h('h2', {}, 'Add device'), out);
  let timer = 0;
  let unsub = () => {};
  const make = async () => {
    clearInterval(timer);
    out.replaceChildren(h('p', { class: 'muted' }, 'Creating a pairing code…'));
    let r;
    try {
      r = await api('/api/pairing-codes', { method: 'POST' });
    } catch (e) {
      out.replaceChildren(h('p', { class: 'error' }, `Could not create a code: ${e.message}`));
      return;
    }
    const command = r.command || `claude-remote pair ${location.origin} ${r.code}`;
    const left = h('p', { class: 'muted' });
    const copy = h('button', { class: 'btn', type: 'button' }, 'Copy command');
    copy.addEventListener('click', () =>
      navigator.clipboard?.writeText(command).then(
        () => toast('Copied'),
        () => toast('Copy failed: select the text instead'),
      ),
    );
    const again = h('button', { class: 'btn', type: 'button', hidden: true }, 'New code');
    again.addEventListener('click', make);
    out.replaceChildren(
      h(
        'p',
        {},
        '1. On the machine where you run Claude Code, install claude-remote (Node.js and npm are enough): in a checkout of this repository, ',
        h('code', {}, 'npm install -g --install-links --allow-scripts=bun .'),
      ),
      h('p', {}, '2. Run this there:'),
      h('pre', { class: 'code', 'aria-label': 'pair command' }, command),
      copy,
      h('div', { class: 'pair-code', 'aria-label': 'pairing code' }, r.code),
      left,
      again,
    );
    unsub();
    unsub = subscribe((what, d) => {
      if (what !== 'devices' || !d || d.pairing !== r.id) return;
      clearInterval(timer);
      out.replaceChildren(
        h('p', { class: 'paired', role: 'status' }, `paired: ${d.name}${d.host ? ` (${d.host})` : ''}`),
        h(
          'p',
          { class: 'muted' },
          'Run ',
          h('code', {}, 'claude-remote'),
          ' there instead of ',
          h('code', {}, 'claude'),
          '; its sessions show up under Sessions.',
        ),
        h('a', { class: 'btn', href: '#/devices' }, 'Done'),
      );
    });
    const tick = () => {
      const s = Math.round((r.expiresAt - Date.now()) / 1000);
      if (s <= 0) {
        clearInterval(timer);
        left.textContent = 'This code has expired.';
        left.className = 'error';
        again.hidden = false;
        return;
      }
      left.textContent = `Single use · expires in ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
    };
    tick();
    timer = setInterval(tick, 1000);
  };
  make();
  return () => {
    clearInterval(timer);
    unsub();
  };
}
