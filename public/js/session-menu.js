// A session's ⋯ menu: rename, archive, delete.
import { api } from './api.js';
import { h, toast } from './dom.js';
import { state } from './live.js';

export function sessionMenu(id) {
  const path = `/api/sessions/${encodeURIComponent(id)}`;
  const name = h('input', { 'aria-label': 'session name', maxlength: 100 });
  const save = h('button', { class: 'btn', type: 'button' }, 'Rename');
  const archive = h('button', { class: 'btn', type: 'button' });
  const del = h('button', { class: 'btn danger', type: 'button' }, 'Delete…');
  const panel = h(
    'div',
    { class: 'smenu', hidden: true, 'aria-label': 'session actions' },
    h('div', { class: 'line' }, name, save),
    h('div', { class: 'line' }, archive, del),
  );
  const button = h('button', { class: 'btn', type: 'button', 'aria-label': 'session actions', 'aria-expanded': 'false' }, '⋯');
  const sync = () => {
    const s = state.sessions.get(id);
    archive.textContent = s?.archivedAt ? 'Unarchive' : 'Archive';
    if (document.activeElement !== name) name.value = s?.name || '';
  };
  const call = async (what, fn) => {
    try {
      const s = await fn();
      if (s && s.id) state.sessions.set(s.id, s);
      sync();
      return true;
    } catch (e) {
      toast(`Could not ${what}: ${e.message}`);
      return false;
    }
  };
  button.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    button.setAttribute('aria-expanded', String(!panel.hidden));
    sync();
  });
  save.addEventListener('click', () =>
    call('rename', () => api(`${path}/name`, { method: 'POST', body: { name: name.value } })).then((ok) => ok && toast('Renamed')),
  );
  archive.addEventListener('click', () => {
    const archived = !state.sessions.get(id)?.archivedAt;
    call('archive', () => api(`${path}/archive`, { method: 'POST', body: { archived } })).then(
      (ok) => ok && archived && (location.hash = '#/'),
    );
  });
  del.addEventListener('click', async () => {
    if (!confirm('Delete this session and all its stored output? This cannot be undone.')) return;
    if (await call('delete', () => api(path, { method: 'DELETE' }))) {
      state.sessions.delete(id);
      toast('Session deleted');
      location.hash = '#/';
    }
  });
  return { button, panel, sync };
}
