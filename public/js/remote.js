// Sessions started from the phone: the New session form (#/new) and a session's Stop / Resume buttons.
// What may start is decided by the machine's daemon; the form only offers what it announced.
import { api } from './api.js';
import { h, toast } from './dom.js';
import { state, subscribe } from './live.js';

const go = (id) => (location.hash = `#/s/${encodeURIComponent(id)}`);

function options(sel, items, label = (x) => x) {
  sel.replaceChildren(...items.map((x) => h('option', { value: typeof x === 'string' ? x : x.name }, label(x))));
}

export function newSessionView(root) {
  const machine = h('select', { name: 'machine' });
  const folder = h('select', { name: 'folder' });
  const sub = h('input', { name: 'sub', placeholder: 'subfolder (optional)', autocomplete: 'off' });
  const preset = h('select', { name: 'preset' });
  const mode = h('select', { name: 'mode' });
  const message = h('textarea', { name: 'message', rows: 4, placeholder: 'First message, e.g. fix the flaky test in tests/core' });
  const cont = h('input', { type: 'checkbox', name: 'continue' });
  const go_ = h('button', { class: 'btn primary', type: 'submit' }, 'Start');
  const err = h('p', { class: 'error', role: 'alert', hidden: true });
  const field = (text, el) => h('label', { class: 'field' }, h('span', {}, text), el);
  const form = h(
    'form',
    { class: 'form newsession' },
    h('h2', {}, 'New session'),
    field('Machine', machine),
    field('Folder', folder),
    sub,
    field('Agent', preset),
    field('Permission mode', mode),
    message,
    h('label', { class: 'check' }, cont, ' Continue the folder\u2019s last conversation'),
    go_,
    err,
  );
  const none = h(
    'p',
    { class: 'empty pad', hidden: true },
    'No machine can start sessions. On your dev machine run ',
    h('code', {}, 'claude-remote daemon --allow-folder <dir>'),
    '.',
  );
  root.replaceChildren(form, none);

  let daemons = [];
  const current = () => daemons.find((d) => d.deviceId === machine.value);
  const fillPreset = () => {
    const p = current()?.presets.find((x) => x.name === preset.value);
    options(mode, ['', ...(p?.modes || [])], (m) => m || 'default');
    mode.disabled = cont.disabled = !p?.modes.length;
  };
  const fillMachine = () => {
    const d = current();
    options(folder, d?.folders || []);
    options(preset, d?.presets || [], (p) => `${p.name} (${p.agent})`);
    fillPreset();
  };
  machine.addEventListener('change', fillMachine);
  preset.addEventListener('change', fillPreset);
  api('/api/daemons').then(
    (list) => {
      daemons = list;
      options(
        machine,
        list.map((d) => d.deviceId),
        (id) => {
          const d = list.find((x) => x.deviceId === id);
          return `${d.deviceName || d.host || id}${d.host ? ` · ${d.host}` : ''}`;
        },
      );
      form.hidden = list.length === 0;
      none.hidden = list.length > 0;
      fillMachine();
    },
    (e) => toast(`Could not list machines: ${e.message}`),
  );

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    go_.disabled = true;
    const body = {
      deviceId: machine.value,
      folder: sub.value.trim() ? `${folder.value}/${sub.value.trim().replace(/^\/+/, '')}` : folder.value,
      preset: preset.value,
    };
    if (message.value.trim()) body.message = message.value;
    if (mode.value) body.permissionMode = mode.value;
    if (cont.checked) body.continue = true;
    try {
      const r = await api('/api/sessions', { method: 'POST', body });
      if (r.session) state.sessions.set(r.sessionId, r.session);
      go(r.sessionId);
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
    } finally {
      go_.disabled = false;
    }
  });
  return () => {};
}

/** Stop (running) or Resume (ended Claude session) for a session view's header; null-safe while the record loads. */
export function sessionActions(id) {
  const stop = h('button', { class: 'btn', type: 'button', hidden: true }, 'Stop');
  const resume = h('button', { class: 'btn', type: 'button', hidden: true }, 'Resume');
  const el = h('span', { class: 'actions' }, stop, resume);
  let daemons = [];
  const render = () => {
    const s = state.sessions.get(id);
    const d = s && daemons.find((x) => x.deviceId === s.deviceId);
    const ended = s && s.endedAt != null;
    stop.hidden = !d || ended || !d.sessions.some((x) => x.sessionId === id);
    resume.hidden = !d || !ended || !d.presets.some((p) => p.resumable);
  };
  let at = 0;
  let later = 0;
  const refresh = () => {
    const wait = at + 2000 - Date.now();
    // At most one fetch per 2 s, and the last change in a window is fetched when it ends.
    if (wait > 0) return void (later ||= setTimeout(() => ((later = 0), refresh()), wait));
    at = Date.now();
    api('/api/daemons').then(
      (l) => ((daemons = l), render()),
      () => {},
    );
  };
  const act = (btn, path, then) =>
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        then(await api(`/api/sessions/${encodeURIComponent(id)}/${path}`, { method: 'POST', body: {} }));
      } catch (e) {
        toast(e.message);
      } finally {
        btn.disabled = false;
      }
    });
  act(stop, 'stop', () => toast('Stopping…'));
  act(resume, 'resume', (r) => go(r.sessionId));
  refresh();
  const unsub = subscribe((what) => what === 'sessions' && (render(), refresh()));
  return { el, close: () => (clearTimeout(later), unsub()) };
}
