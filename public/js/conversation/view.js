// The session as a conversation, beside the live screen: the newest page of
// GET /api/sessions/:id/conversation, older pages on demand, new entries as the `transcript`
// event says it grew. Says "partial" (and why) when the transcript could not all be read. The
// session's prompt cards show inline, where they were asked (inline-cards.js).
import { api } from '../api.js';
import { h } from '../dom.js';
import { state, subscribe } from '../live.js';
import { EntryRenderer } from './entries.js';
import { InlineCards } from './inline-cards.js';

const PAGE = 100;
let cssLoaded = false;

function loadCss() {
  if (cssLoaded) return;
  cssLoaded = true;
  document.head.append(h('link', { rel: 'stylesheet', href: '/conversation.css' }));
}

export function conversationView(id) {
  loadCss();
  const older = h('button', { class: 'btn older', type: 'button', hidden: true }, '↑ Earlier messages');
  const partial = h('div', { class: 'partial', role: 'status', hidden: true });
  const list = h('div', { class: 'convlist' });
  const empty = h('p', { class: 'muted pad' }, 'Loading the conversation…');
  const el = h('div', { class: 'conv', dataset: { session: id } }, partial, older, empty, list);
  const render = new EntryRenderer(list);
  const cards = new InlineCards(list, id);
  let firstId = null;
  let lastId = 0;
  let busy = false;
  let again = false;
  let closed = false;

  const atBottom = () => el.scrollTop + el.clientHeight >= el.scrollHeight - 24;
  let shownPartial = 0;
  const showPartial = (reasons) => {
    shownPartial = reasons?.length ?? 0;
    partial.hidden = !reasons?.length;
    partial.replaceChildren(h('b', {}, 'Partial: '), reasons?.length ? reasons.join('; ') : '');
  };
  const turns = () =>
    api(`/api/sessions/${encodeURIComponent(id)}/usage`).then(
      (u) => !closed && render.showTurns(u),
      () => {},
    );

  // newest page first, then everything after the last id, until caught up
  const pull = async () => {
    if (busy) return void (again = true);
    busy = true;
    try {
      do {
        again = false;
        const q = firstId === null ? `limit=${PAGE}` : `after=${lastId}&limit=${PAGE}`;
        const page = await api(`/api/sessions/${encodeURIComponent(id)}/conversation?${q}`);
        if (closed) return;
        const stick = atBottom();
        if (firstId === null) {
          firstId = page.items[0]?.id ?? null;
          older.hidden = !page.more;
        }
        if (page.items.length) {
          render.add(page.items);
          cards.replace();
          lastId = page.items[page.items.length - 1].id;
          if (firstId === null) firstId = page.items[0].id;
        }
        showPartial(page.partial);
        empty.textContent =
          'No conversation: this agent has written no transcript the server has, so only its time is known (no tokens, cost or messages).';
        empty.hidden = lastId > 0;
        if (stick) el.scrollTop = el.scrollHeight;
        if (page.items.length === PAGE) again = true;
      } while (again);
      el.dataset.ready = '1';
      await turns();
    } catch (e) {
      empty.hidden = false;
      empty.textContent = `Could not load the conversation: ${e.message}`;
    } finally {
      busy = false;
    }
  };

  older.addEventListener('click', async () => {
    older.disabled = true;
    try {
      const page = await api(`/api/sessions/${encodeURIComponent(id)}/conversation?before=${firstId}&limit=${PAGE}`);
      const before = el.scrollHeight;
      render.add(page.items, true);
      cards.replace();
      el.scrollTop += el.scrollHeight - before;
      if (page.items.length) firstId = page.items[0].id;
      older.hidden = !page.more;
      await turns();
    } catch (e) {
      older.textContent = `Could not load: ${e.message}`;
    } finally {
      older.disabled = false;
    }
  });

  const unsub = subscribe((what) => {
    const u = what === 'usage' ? state.usage.get(id) : null;
    if (u && ((u.lastId ?? 0) > lastId || (u.partial?.length ?? 0) > shownPartial)) pull();
    if (what === 'online' && state.online) pull(); // after a reconnect (or a server restart), catch up
    if (what === 'prompts' || what === 'sessions') {
      const stick = atBottom();
      cards.sync();
      if (stick) el.scrollTop = el.scrollHeight; // a new card at the end is seen
    }
  });
  cards.sync();
  pull();
  return {
    el,
    close() {
      closed = true;
      unsub();
      cards.close();
    },
  };
}
