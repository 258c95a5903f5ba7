// Search view (#/search): full-text search over every session's output (GET /api/search).
import { api } from './api.js';
import { age, h } from './dom.js';

/** The snippet as text nodes, the matched words in <mark> (never innerHTML: output is untrusted). */
function marked(text, ranges) {
  const parts = [];
  let at = 0;
  for (const [s, e] of ranges) {
    if (s < at || e > text.length) continue;
    parts.push(text.slice(at, s), h('mark', {}, text.slice(s, e)));
    at = e;
  }
  parts.push(text.slice(at));
  return parts;
}

function hitRow(hit) {
  return h(
    'li',
    {},
    h(
      'a',
      { class: 'srow', href: `#/s/${encodeURIComponent(hit.sessionId)}`, dataset: { id: hit.sessionId } },
      h('div', { class: 'l1' }, h('span', { class: 'name' }, hit.name), h('span', { class: 'muted' }, `started ${age(hit.startedAt)} ago`)),
      h('div', { class: 'l3 cwd' }, ...marked(hit.snippet, hit.highlights)),
    ),
  );
}

export function searchView(root) {
  const input = h('input', {
    type: 'search',
    name: 'q',
    placeholder: 'Search all sessions\u2019 output',
    'aria-label': 'Search output',
    maxlength: '200',
    enterkeyhint: 'search',
    autocapitalize: 'off',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const status = h('p', { class: 'muted pad', role: 'status' });
  const list = h('ul', { class: 'sessions' });
  let seq = 0;
  let timer = 0;
  async function run() {
    clearTimeout(timer);
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) {
      list.replaceChildren();
      status.textContent = '';
      return;
    }
    status.textContent = 'Searching\u2026';
    try {
      const hits = await api(`/api/search?q=${encodeURIComponent(q)}`);
      if (mine !== seq) return;
      list.replaceChildren(...hits.map(hitRow));
      status.textContent = hits.length ? `${hits.length} session${hits.length > 1 ? 's' : ''}` : 'No output matches.';
    } catch (e) {
      if (mine === seq) status.textContent = e.message;
    }
  }
  const form = h('form', { class: 'form', role: 'search', onsubmit: (e) => (e.preventDefault(), run()) }, input);
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, 300);
  });
  root.replaceChildren(form, status, list);
  input.focus();
  return () => clearTimeout(timer);
}
