// Approval cards for permission prompts. One card per prompt, updated in place, so a card resolved
// elsewhere (terminal, another phone) flips at once and its buttons stop working.
import { api } from './api.js';
import { lineDiff, parseUnified } from './diff.js';
import { age, h, toast } from './dom.js';
import { refetch, state } from './live.js';
import { inputRows, planView, questionForm } from './cards/kinds.js';

const MAX_DIFF_LINES = 300;
const STATUS_TEXT = {
  approved: 'Approved',
  denied: 'Denied',
  'answered-locally': 'Answered at terminal',
  expired: 'Expired',
  cancelled: 'Cancelled',
};

const LINGER_MS = 30_000;
const FOLD_MS = 1200; // an answered card shows how it ended, then folds to one line

/** Pending prompts, plus resolved ones this container already shows, for a few seconds so the flip is seen. */
export function cardsToShow(prompts, container) {
  const now = Date.now();
  return prompts.filter(
    (p) =>
      p.status === 'pending' ||
      (container.querySelector(`[data-id="${CSS.escape(p.id)}"]`) && now - (p.resolvedAt || p.updatedAt || now) < LINGER_MS),
  );
}

/** Whether a resolved card is still lingering (the view re-renders until it is gone). */
export function lingering(container) {
  return !!container.querySelector('.card.done');
}

/** Keeps `container`'s cards in step with `prompts` (reusing elements so typed text survives). */
export function syncCards(container, prompts, { showSession = false } = {}) {
  const existing = new Map([...container.children].map((el) => [el.dataset.id, el]));
  const wanted = [];
  for (const p of prompts) {
    let el = existing.get(p.id);
    if (!el) el = buildCard(p, showSession);
    else existing.delete(p.id);
    updateCard(el, p);
    wanted.push(el);
  }
  for (const el of existing.values()) el.remove();
  wanted.forEach((el, i) => {
    if (container.children[i] !== el) container.insertBefore(el, container.children[i] || null);
  });
}

function sessionLabel(id) {
  const s = state.sessions.get(id);
  return s ? (s.title ? `${s.name} · ${s.title}` : s.name) : id.slice(0, 8);
}

function buildCard(p, showSession) {
  if (p.kind !== 'permission') return buildKindCard(p, showSession);
  const status = h('div', { class: 'status', role: 'status' });
  const opts = h('div', { class: 'opts' });
  const card = h(
    'article',
    { class: 'card', dataset: { id: p.id }, 'aria-label': `permission prompt: ${p.tool}` },
    h(
      'div',
      { class: 'head' },
      h('span', { class: 'tool' }, toolName(p.tool)),
      showSession ? h('a', { href: `#/s/${encodeURIComponent(p.sessionId)}` }, sessionLabel(p.sessionId)) : null,
      h('span', { class: 'when' }, `${age(p.createdAt)} ago`),
    ),
    p.title ? h('div', { class: 'title' }, p.title) : null,
    details(p),
    p.question ? h('div', { class: 'question' }, p.question) : null,
    opts,
    status,
  );
  const options = p.options && p.options.length ? p.options : defaultOptions(p);
  let hasTell = false;
  options.forEach((o, i) => {
    const no = /^no\b/i.test(o.label);
    const tell = no && /tell/i.test(o.label);
    if (tell) {
      hasTell = true;
      opts.append(tellButton(card, p, o.label));
      return;
    }
    const cls = no ? 'btn danger' : i === 0 ? 'btn primary' : 'btn';
    opts.append(
      h(
        'button',
        {
          class: cls,
          type: 'button',
          onclick: () => (no ? answer(card, p, 'reject', {}) : answer(card, p, 'approve', o.key === 'once' ? {} : { option: o.key })),
        },
        /^\d$/.test(o.key) ? h('span', { class: 'k' }, o.key) : null,
        o.label,
      ),
    );
  });
  if (!hasTell) opts.append(tellButton(card, p, 'No, and tell Claude what to do differently…'));
  return card;
}

/** A question card (a form) or a plan card (the plan, then the terminal's choices). */
function buildKindCard(p, showSession) {
  const status = h('div', { class: 'status', role: 'status' });
  const card = h(
    'article',
    {
      class: `card ${p.kind}`,
      dataset: { id: p.id },
      'aria-label': p.form ? 'MCP form' : p.kind === 'question' ? 'question from Claude' : 'plan approval',
    },
    h(
      'div',
      { class: 'head' },
      h('span', { class: 'tool' }, p.kind === 'question' ? 'Question' : p.form ? `MCP ${p.form.server}` : 'Plan'),
      showSession ? h('a', { href: `#/s/${encodeURIComponent(p.sessionId)}` }, sessionLabel(p.sessionId)) : null,
      h('span', { class: 'when' }, `${age(p.createdAt)} ago`),
    ),
  );
  if (p.kind === 'question') card.append(questionForm(p, (body) => answer(card, p, 'approve', body)));
  else if (p.form) import('./cards/elicitation.js').then((m) => status.before(m.elicitationForm(p, (a, b) => answer(card, p, a, b))));
  else {
    const opts = h('div', { class: 'opts' });
    for (const o of p.options) {
      if (/^no\b|tell claude/i.test(o.label)) opts.append(tellButton(card, p, o.label));
      else
        opts.append(
          h(
            'button',
            { class: o.key === '1' ? 'btn primary' : 'btn', type: 'button', onclick: () => answer(card, p, 'approve', { option: o.key }) },
            h('span', { class: 'k' }, o.key),
            o.label,
          ),
        );
    }
    card.append(planView(p.plan), opts);
  }
  card.append(status);
  return card;
}

/** Before the dialog is read off the screen: Yes, "always" when Claude Code offered a rule, No. */
function defaultOptions(p) {
  const opts = [{ key: 'once', label: 'Yes' }];
  if (p.suggestions && p.suggestions.length) opts.push({ key: 'always', label: 'Yes, and don’t ask again' });
  opts.push({ key: 'no', label: 'No' });
  return opts;
}

function tellButton(card, p, label) {
  const box = h('div', { class: 'tell', hidden: true });
  const field = h('textarea', {
    rows: 2,
    placeholder: 'What should Claude do instead?',
    'aria-label': 'message for Claude',
    maxlength: 4000,
  });
  const send = h(
    'button',
    {
      class: 'btn danger',
      type: 'button',
      onclick: () => answer(card, p, 'reject', field.value.trim() ? { message: field.value.trim() } : {}),
    },
    'Deny and tell Claude',
  );
  box.append(field, send);
  const btn = h(
    'button',
    {
      class: 'btn danger',
      type: 'button',
      onclick: () => {
        box.hidden = !box.hidden;
        if (!box.hidden) field.focus();
      },
    },
    label.replace(/\s*\(esc\)\s*$/i, '…').replace(/……$/, '…'),
  );
  return h('div', {}, btn, box);
}

async function answer(card, p, action, body) {
  setEnabled(card, false);
  try {
    const res = await api(`/api/prompts/${encodeURIComponent(p.id)}/${action}`, { method: 'POST', body });
    const next = res && (res.prompt || (res.id ? res : null));
    if (next) state.prompts.set(p.id, { ...state.prompts.get(p.id), ...next });
    else
      state.prompts.set(p.id, {
        ...state.prompts.get(p.id),
        status: action === 'approve' ? 'approved' : 'denied',
        resolution: { via: 'api', decision: action === 'approve' ? 'allow' : 'deny', message: body.message },
      });
    updateCard(card, state.prompts.get(p.id));
  } catch (e) {
    if (e.status === 409 && e.body?.error === 'not_connected') {
      // nothing was sent: the prompt stays open, so the buttons stay usable for a retry
      toast('Not sent: the terminal running this session is offline. The prompt stays open; answer again once it reconnects.');
      setEnabled(card, true);
    } else if (e.status === 409) {
      toast('Already answered elsewhere');
      refetch();
    } else {
      toast(`Could not send: ${e.message}`);
      setEnabled(card, true);
    }
  }
}

function setEnabled(card, on) {
  for (const el of card.querySelectorAll('button, textarea')) el.disabled = !on;
}

function updateCard(card, p) {
  const done = p.status !== 'pending';
  card.classList.toggle('done', done);
  card.dataset.status = p.status;
  const status = card.querySelector('.status');
  // the session's terminal is gone (laptop asleep, network down): say so before anyone taps in vain
  const offline = !done && state.sessions.get(p.sessionId)?.status === 'disconnected';
  card.classList.toggle('offline', offline);
  status.className = `status ${p.status}${offline ? ' offline' : ''}`;
  const notTaken = !done && p.delivery === 'not_taken';
  status.textContent = done
    ? outcome(p)
    : offline
      ? 'The terminal is offline: answer once it reconnects.'
      : notTaken
        ? 'Claude did not take the answer; it is still waiting at the terminal. Answer again.'
        : '';
  if (notTaken) setEnabled(card, true);
  if (done) {
    setEnabled(card, false);
    for (const el of card.querySelectorAll('.tell')) el.hidden = true;
    if (!card.dataset.folding) card.dataset.folding = String(setTimeout(() => card.classList.add('folded'), FOLD_MS));
  }
}

/** "Approved from the dashboard", "Answered at terminal (allowed)", "Expired: …". */
function outcome(p) {
  const r = p.resolution || {};
  const base = STATUS_TEXT[p.status] || p.status;
  const via = r.via || (p.resolvedBy === 'terminal' ? 'terminal' : p.resolvedBy === 'system' ? 'system' : p.resolvedBy ? 'api' : '');
  let text = base;
  if (via === 'api' && p.delivery === 'sent') text = 'Sent, waiting for Claude to take it';
  else if (r.answers && p.status === 'approved') text = `Answered: ${Object.values(r.answers).join(' · ')}`;
  if (p.status === 'answered-locally') {
    if (r.decision) text += r.decision === 'allow' ? ' (allowed)' : ' (denied)';
  } else if (via === 'api') text += ' from the dashboard';
  else if (via === 'terminal') text += ' at the terminal';
  if (r.message) text += ` · told Claude: “${r.message}”`;
  else if (r.reason && (p.status === 'expired' || p.status === 'cancelled')) text += ` · ${r.reason}`;
  return text;
}

function toolName(tool) {
  const m = /^mcp__(.+?)__(.+)$/.exec(tool || '');
  return m ? `MCP ${m[1]}` : tool || 'Tool';
}

/** What the tool wants to do: the command, a diff, the URL, the MCP call. */
function details(p) {
  const input = p.input || {};
  const tool = p.tool || '';
  const m = /^mcp__(.+?)__(.+)$/.exec(tool);
  if (m) return h('div', {}, kv('server', m[1]), kv('tool', m[2]), inputRows(input));
  switch (tool) {
    case 'Bash':
      return h('div', {}, code(input.command || ''), input.description ? h('div', { class: 'kv muted' }, input.description) : null);
    case 'Edit':
    case 'MultiEdit':
    case 'Write':
    case 'NotebookEdit':
      return h('div', {}, kv('file', input.file_path || input.notebook_path || ''), diffView(p));
    case 'WebFetch':
      return h('div', {}, kv('url', input.url || ''), input.prompt ? h('div', { class: 'kv muted' }, input.prompt) : null);
    case 'WebSearch':
      return kv('search', input.query || '');
    case 'Read':
    case 'Glob':
    case 'Grep':
      return h(
        'div',
        {},
        input.file_path ? kv('file', input.file_path) : null,
        input.path ? kv('path', input.path) : null,
        input.pattern ? kv('pattern', input.pattern) : null,
      );
    default:
      if (Object.keys(input).length) return inputRows(input);
      return p.body && p.body.length ? code(p.body.join('\n')) : null;
  }
}

function diffView(p) {
  const input = p.input || {};
  let lines;
  if (typeof input.diff === 'string') lines = parseUnified(input.diff);
  else if (p.tool === 'Write') lines = lineDiff('', input.content || '');
  else if (Array.isArray(input.edits))
    lines = input.edits.flatMap((e, i) => [...(i ? [{ op: ' ', text: '⋯' }] : []), ...lineDiff(e.old_string || '', e.new_string || '')]);
  else if (p.tool === 'NotebookEdit') lines = lineDiff('', input.new_source || '');
  else lines = lineDiff(input.old_string || '', input.new_string || '');
  const box = h('div', { class: 'diff', 'aria-label': 'changes' });
  for (const l of lines.slice(0, MAX_DIFF_LINES))
    box.append(h('div', { class: l.op === '+' ? 'add' : l.op === '-' ? 'del' : '' }, `${l.op} ${l.text}`));
  if (lines.length > MAX_DIFF_LINES) box.append(h('div', { class: 'more' }, `… ${lines.length - MAX_DIFF_LINES} more lines`));
  return box;
}

const kv = (k, v) => h('div', { class: 'kv' }, h('b', {}, k), v);
const code = (text) => h('pre', { class: 'code' }, text);
