// Card bodies for prompts that are not "may this tool run": a question (AskUserQuestion) as a form,
// a plan (ExitPlanMode) as readable text. Everything is put in with textContent: nothing the agent
// wrote is ever interpreted as HTML.
import { h } from '../dom.js';

/** One fieldset per question: radios or checkboxes with descriptions, and a free-text field. */
export function questionForm(p, send) {
  const form = h('form', {
    class: 'qform',
    onsubmit: (e) => {
      e.preventDefault();
      send({ answers: p.questions.map((q, i) => answerOf(form, q, i)) });
    },
  });
  p.questions.forEach((q, i) => {
    const set = h('fieldset', { class: 'q' }, h('legend', {}, q.header ? h('span', { class: 'chip' }, q.header) : null, q.question));
    for (const o of q.options) {
      set.append(
        h(
          'label',
          { class: 'choice' },
          h('input', { type: q.multiSelect ? 'checkbox' : 'radio', name: `q${i}`, value: o.key }),
          h('span', {}, h('b', {}, o.label), o.description ? h('span', { class: 'muted' }, ` — ${o.description}`) : null),
        ),
      );
    }
    if (q.text)
      set.append(
        h('input', {
          type: 'text',
          class: 'qtext',
          name: `t${i}`,
          maxlength: 2000,
          placeholder: 'Type something',
          'aria-label': `your own answer to: ${q.question}`,
        }),
      );
    form.append(set);
  });
  form.append(
    h(
      'div',
      { class: 'opts' },
      h('button', { class: 'btn primary', type: 'submit' }, p.questions.length > 1 ? 'Submit answers' : 'Answer'),
      h('button', { class: 'btn', type: 'button', onclick: () => send({ option: 'chat' }) }, 'Chat about this'),
    ),
  );
  return form;
}

function answerOf(form, q, i) {
  const keys = [...form.querySelectorAll(`input[name="q${i}"]:checked`)].map((el) => el.value);
  const text = form.querySelector(`input[name="t${i}"]`)?.value.trim() || '';
  // A typed answer replaces the choice for a single-select question, as at the terminal.
  if (text && !q.multiSelect) return { text };
  return { ...(keys.length ? { keys } : {}), ...(text ? { text } : {}) };
}

/** The plan's markdown shown as text blocks: headings, list items and code kept apart. */
export function planView(plan) {
  const box = h('div', { class: 'plan', 'aria-label': 'the plan' });
  if (!plan) return box.appendChild(h('div', { class: 'muted' }, 'Claude wants to leave plan mode (no plan text was sent).')) && box;
  let fence = null;
  for (const line of plan.split('\n')) {
    if (/^\s*```/.test(line)) {
      if (fence) fence = null;
      else box.append((fence = h('pre', { class: 'code' })));
      continue;
    }
    if (fence) {
      fence.textContent += (fence.textContent ? '\n' : '') + line;
      continue;
    }
    const head = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*([-*]|\d+\.)\s+(.*)$/.exec(line);
    if (head) box.append(h('div', { class: `ph ph${head[1].length}` }, head[2]));
    else if (item) box.append(h('div', { class: 'pli' }, h('span', { class: 'muted' }, `${item[1]} `), item[2]));
    else if (line.trim()) box.append(h('p', {}, line));
  }
  return box;
}

/** A tool input the dashboard has no card for: one row per field, long text in a block, never raw JSON. */
export function inputRows(input) {
  const box = h('div', { class: 'inputs' });
  for (const [k, v] of Object.entries(input || {})) {
    const text = typeof v === 'string' ? v : v === null || typeof v !== 'object' ? String(v) : flat(v);
    box.append(
      text.includes('\n') || text.length > 80
        ? h('div', { class: 'kv' }, h('b', {}, k), h('pre', { class: 'code' }, text))
        : h('div', { class: 'kv' }, h('b', {}, k), text),
    );
  }
  return box;
}

function flat(v, indent = '') {
  if (Array.isArray(v))
    return v.map((x) => `${indent}• ${typeof x === 'object' && x ? `\n${flat(x, `${indent}  `)}` : String(x)}`).join('\n');
  return Object.entries(v)
    .map(([k, x]) => `${indent}${k}: ${typeof x === 'object' && x ? `\n${flat(x, `${indent}  `)}` : String(x)}`)
    .join('\n');
}
