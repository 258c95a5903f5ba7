// The home view: prompts waiting for you (across all sessions), then every session.
import { cardsToShow, lingering, syncCards } from './cards.js';
import { age, h } from './dom.js';
import { pendingFor, promptsToShow, state, subscribe } from './live.js';
import { usageLine } from './usage-line.js';

export function statusText(s) {
  if (s.status === 'exited') return `finished · exit ${s.exitCode ?? '?'}`;
  if (s.status === 'lost') return 'lost · its wrapper died';
  if (s.status === 'waiting') return 'your turn · asks you';
  if (s.turn === 'user') return 'your turn';
  if (s.turn === 'agent') return 'working';
  return s.status;
}

export function statusPill(s) {
  const failed = s.status === 'exited' && s.exitCode !== 0;
  const turn = s.turn ? ` turn-${s.turn}` : '';
  return h('span', { class: `pill ${s.status}${turn}${failed ? ' failed' : ''}` }, statusText(s));
}

/** Sessions waiting for the user first, then working ones, then the rest; newest first within each. */
function order(a, b) {
  const rank = (s) => (s.turn === 'user' ? 0 : s.status === 'running' || s.status === 'waiting' ? 1 : 2);
  return rank(a) - rank(b) || b.startedAt - a.startedAt;
}

/** "name · first prompt": what tells two sessions of one folder apart. */
export function sessionLabel(s) {
  return s.title && s.title !== s.name ? `${s.name} · ${s.title}` : s.name;
}

function sessionRow(s) {
  const n = pendingFor(s.id);
  const device = s.deviceName || s.host || s.deviceId;
  const ended = s.status === 'exited' || s.status === 'lost';
  return h(
    'li',
    {},
    h(
      'a',
      { class: `srow${ended ? ' ended' : ''}`, href: `#/s/${encodeURIComponent(s.id)}`, dataset: { id: s.id } },
      h(
        'div',
        { class: 'l1' },
        h('span', { class: 'name' }, s.name),
        statusPill(s),
        n ? h('span', { class: 'badge', title: `${n} waiting` }, String(n)) : null,
      ),
      s.title ? h('div', { class: 'l2 title' }, s.title) : null,
      h('div', { class: 'l2' }, `${device} · ${ended && s.endedAt ? `ended ${age(s.endedAt)} ago` : `started ${age(s.startedAt)} ago`}`),
      h('div', { class: 'l3 cwd' }, s.cwd),
      usageLine(s, state.usage.get(s.id)),
    ),
  );
}

export function listView(root) {
  const cards = h('div', { class: 'cards' });
  const waitingHead = h('h2', {}, 'Waiting for you');
  const list = h('ul', { class: 'sessions' });
  const empty = h(
    'p',
    { class: 'empty' },
    'No sessions yet. Run ',
    h('code', {}, 'claude-remote'),
    ' on a paired machine (Devices → Add device).',
  );
  const archived = h('ul', { class: 'sessions', hidden: true, 'aria-label': 'archived sessions' });
  const showArchived = h('button', {
    class: 'btn older',
    type: 'button',
    hidden: true,
    onclick: () => (archived.hidden = !archived.hidden),
  });
  root.replaceChildren(waitingHead, cards, h('h2', {}, 'Sessions'), list, empty, showArchived, archived);

  let linger = 0;
  const render = () => {
    const prompts = cardsToShow(promptsToShow(), cards);
    syncCards(cards, prompts, { showSession: true });
    clearTimeout(linger);
    if (lingering(cards)) linger = setTimeout(render, 1000);
    waitingHead.hidden = prompts.length === 0;
    const all = [...state.sessions.values()].sort(order);
    const sessions = all.filter((s) => !s.archivedAt);
    const old = all.filter((s) => s.archivedAt);
    list.replaceChildren(...sessions.map(sessionRow));
    archived.replaceChildren(...old.map(sessionRow));
    showArchived.hidden = old.length === 0;
    showArchived.textContent = `Archived (${old.length})`;
    empty.hidden = all.length > 0;
  };
  render();
  const unsub = subscribe((what) => (what === 'sessions' || what === 'prompts' || what === 'usage') && render());
  const tick = setInterval(render, 30_000); // ages
  return () => {
    unsub();
    clearInterval(tick);
    clearTimeout(linger);
  };
}
