// One session: its waiting prompts on top, the live screen from the server, and the input bar.
// The screen stream (/events?session=ID&view=screen) starts every connection with a full snapshot,
// so a reconnect (network change, server restart) can never duplicate output.
import { api, withPageKey } from './api.js';
import { cardsToShow, lingering, syncCards } from './cards.js';
import { h, toast } from './dom.js';
import { inputBar } from './input.js';
import { statusPill } from './list.js';
import { onEvent, promptsToShow, state, subscribe } from './live.js';
import { sessionActions } from './remote.js';
import { TermView } from './terminal.js';
import { onPinch, savedSize, saveSize, stepSize } from './text-size.js';
import { sessionMenu } from './session-menu.js';
import { sessionLabel } from './list.js';

const HISTORY_PAGE = 200;

export function sessionView(root, id) {
  root.classList.add('session');
  const term = new TermView();
  const title = h('span', { class: 'name' }, state.sessions.has(id) ? sessionLabel(state.sessions.get(id)) : '…');
  const menu = sessionMenu(id);
  const pill = h('span', {});
  const smaller = h(
    'button',
    { class: 'btn', type: 'button', 'aria-label': 'smaller text', title: 'Smaller text (down to fit width)' },
    'A−',
  );
  const larger = h('button', { class: 'btn', type: 'button', 'aria-label': 'larger text', title: 'Larger text (scrolls sideways)' }, 'A+');
  const chat = h('button', { class: 'btn chat', type: 'button', 'aria-pressed': 'false', title: 'Conversation / live screen' }, 'Chat');
  const cards = h('div', { class: 'scards cards' });
  const older = h('button', { class: 'btn older', type: 'button', hidden: true }, '↑ Older output');
  const wrap = h('div', { class: 'termwrap' }, older, term.el);
  const input = inputBar(id, () => term);
  const actions = sessionActions(id);
  root.replaceChildren(
    h(
      'div',
      { class: 'shead' },
      h('a', { class: 'btn', href: '#/', 'aria-label': 'back to sessions' }, '‹'),
      title,
      pill,
      actions.el,
      chat,
      smaller,
      larger,
      menu.button,
    ),
    menu.panel,
    cards,
    wrap,
    input.el,
  );
  // The conversation (js/conversation/, loaded on first use) takes the screen's place on a phone and
  // sits beside it on a wide screen (`split`, conversation.css); the input bar serves both.
  let conv = null;
  let loading = null;
  const openConv = () =>
    (loading ??= import('./conversation/view.js').then(({ conversationView }) => {
      if (!root.isConnected) return null;
      conv = conversationView(id);
      wrap.after(conv.el);
      return conv;
    }));
  chat.addEventListener('click', async () => {
    const on = !root.classList.contains('chat');
    if (on && !(await openConv())) return;
    root.classList.toggle('chat', on);
    chat.setAttribute('aria-pressed', String(on));
    chat.textContent = on ? 'Screen' : 'Chat';
  });
  const wide = matchMedia('(min-width: 1100px)');
  const onWide = async () => {
    if (wide.matches && !(await openConv())) return;
    root.classList.toggle('split', wide.matches);
    term.fit();
  };
  wide.addEventListener('change', onWide);
  onWide();

  let atBottom = true;
  wrap.addEventListener('scroll', () => (atBottom = wrap.scrollTop + wrap.clientHeight >= wrap.scrollHeight - 24));
  const stick = () => {
    if (atBottom) wrap.scrollTop = wrap.scrollHeight;
  };
  const resize = (size) => {
    term.setSize(size);
    smaller.disabled = size === 'fit';
    larger.classList.toggle('primary', size !== 'fit');
    root.dataset.size = String(size);
    term.showCursor(wrap);
    stick();
  };
  const step = (dir) => {
    const size = stepSize(term.size, term.fitPx, dir);
    saveSize(size);
    resize(size);
  };
  smaller.addEventListener('click', () => step(-1));
  larger.addEventListener('click', () => step(1));
  onPinch(wrap, step);
  resize(savedSize());
  const ro = new ResizeObserver(() => {
    term.fit();
    stick();
  });
  ro.observe(wrap);

  // Scrollback: pages of older lines from the server's terminal, on demand.
  let historyStart;
  let bootId = null;
  older.addEventListener('click', async () => {
    older.disabled = true;
    try {
      const q = historyStart === undefined ? '' : `&before=${historyStart}`;
      const page = await api(`/api/sessions/${encodeURIComponent(id)}/scrollback?limit=${HISTORY_PAGE}${q}`);
      const before = wrap.scrollHeight;
      term.prependHistory(page.lines);
      wrap.scrollTop += wrap.scrollHeight - before;
      historyStart = page.start;
      exhausted = page.start === 0;
      showOlder();
    } catch (e) {
      older.textContent = `Could not load: ${e.message}`;
    } finally {
      older.disabled = false;
    }
  });
  let exhausted = false;
  const showOlder = () => (older.hidden = exhausted || !term.history);
  const resetHistory = () => {
    term.clearHistory();
    historyStart = undefined;
    exhausted = false;
  };

  // The live screen.
  let es = null;
  let retry = 0;
  let backoff = 1000;
  const connect = () => {
    es?.close();
    const src = new EventSource(withPageKey(`/events?session=${encodeURIComponent(id)}&view=screen`));
    es = src;
    onEvent(src, 'hello', (d) => {
      if (bootId && d.bootId !== bootId) resetHistory(); // a new server process: history indices changed
      bootId = d.bootId;
    });
    onEvent(src, 'screen', (d) => {
      backoff = 1000;
      term.setScreen(d);
      showOlder();
      root.dataset.ready = '1';
      term.showCursor(wrap);
      stick();
    });
    // Typed input the wrapper had to drop (the program is not reading): never let it look sent.
    onEvent(src, 'input.refused', (d) => toast(d.message));
    onEvent(src, 'rows', (d) => {
      term.applyRows(d);
      showOlder();
      if (atBottom) term.showCursor(wrap);
      stick();
    });
    src.onerror = () => {
      if (es !== src || src.readyState !== EventSource.CLOSED) return; // CONNECTING: the browser retries
      clearTimeout(retry);
      retry = setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 15000);
    };
  };
  connect();

  let linger = 0;
  const render = () => {
    const s = state.sessions.get(id);
    if (s) {
      title.textContent = sessionLabel(s);
      pill.replaceChildren(statusPill(s));
      menu.sync();
      input.setEnabled(s.status === 'running' || s.status === 'waiting');
    }
    syncCards(cards, cardsToShow(promptsToShow(id), cards));
    clearTimeout(linger);
    if (lingering(cards)) linger = setTimeout(render, 1000);
  };
  render();
  if (!state.sessions.has(id))
    api(`/api/sessions/${encodeURIComponent(id)}`).then(
      (s) => {
        state.sessions.set(s.id, s);
        render();
      },
      () => (title.textContent = 'No such session'),
    );
  const unsub = subscribe((what) => {
    if (what === 'sessions' || what === 'prompts') render();
    // The global stream came back (e.g. after a network change): make sure the screen stream is live too.
    if (what === 'online' && state.online && (!es || es.readyState !== EventSource.OPEN)) connect();
  });

  return () => {
    unsub();
    actions.close();
    clearTimeout(linger);
    ro.disconnect();
    clearTimeout(retry);
    es?.close();
    input.close();
    conv?.close();
    wide.removeEventListener('change', onWide);
    root.classList.remove('session', 'chat', 'split');
    delete root.dataset.ready;
  };
}
