// The card body of an MCP elicitation (an MCP server asks for a form): one control per field of
// its schema (text, number, checkbox, a list for choices), then Accept / Decline / Cancel. Loaded
// only when such a prompt shows. Every text from the server goes in with textContent.
import { h } from '../dom.js';

/** @typedef {import('../../../src/protocol/prompts.ts').Prompt} Prompt */
/** @typedef {import('../../../src/protocol/elicitation.ts').ElicitationField} Field */

const INPUT_TYPE = { email: 'email', uri: 'url', date: 'date' };

/**
 * @param {Prompt} p
 * @param {(action: 'approve' | 'reject', body: object) => void} send
 */
export function elicitationForm(p, send) {
  const f = p.form;
  const form = h('form', {
    class: 'qform eform',
    onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      send('approve', { content: contentOf(form, f ? f.fields : []) });
    },
  });
  if (!f) return form;
  form.append(h('div', { class: 'question' }, f.message));
  for (const field of f.fields) form.append(fieldRow(field));
  if (f.unsupported) {
    const why = `This form cannot be filled in here (${f.unsupported}). Answer it at the terminal, or decline or cancel it here.`;
    form.append(h('div', { class: 'muted' }, why));
  }
  form.append(
    h(
      'div',
      { class: 'opts' },
      f.unsupported ? null : h('button', { class: 'btn primary', type: 'submit' }, 'Accept'),
      h('button', { class: 'btn danger', type: 'button', onclick: () => send('reject', {}) }, 'Decline'),
      h('button', { class: 'btn', type: 'button', onclick: () => send('approve', { option: 'cancel' }) }, 'Cancel'),
    ),
  );
  return form;
}

/** @param {Field} f */
function fieldRow(f) {
  const name = `f_${f.name}`;
  let control;
  if (f.type === 'boolean') {
    control = h('input', { type: 'checkbox', name, checked: f.default === true });
  } else if (f.type === 'enum') {
    control = h(
      'select',
      { name, required: f.required },
      h('option', { value: '' }, '—'),
      f.choices.map((c) => h('option', { value: c.value, selected: f.default === c.value }, c.label)),
    );
  } else if (f.type === 'string') {
    control = h('input', {
      type: (f.format && INPUT_TYPE[/** @type {keyof typeof INPUT_TYPE} */ (f.format)]) || 'text',
      name,
      class: 'qtext',
      required: f.required,
      minlength: f.minLength,
      maxlength: f.maxLength ?? 8000,
      value: typeof f.default === 'string' ? f.default : null,
    });
  } else {
    control = h('input', {
      type: 'number',
      name,
      class: 'qtext',
      required: f.required,
      min: f.minimum,
      max: f.maximum,
      step: f.type === 'integer' ? 1 : 'any',
      value: typeof f.default === 'number' ? f.default : null,
    });
  }
  return h(
    'label',
    { class: f.type === 'boolean' ? 'choice' : 'q' },
    f.type === 'boolean' ? control : null,
    h('b', {}, f.title, f.required ? ' *' : ''),
    f.description ? h('span', { class: 'muted' }, ` — ${f.description}`) : null,
    f.type === 'boolean' ? null : control,
  );
}

/**
 * The answers as the schema wants them: numbers as numbers, a checkbox as true/false, empty fields left out.
 * @param {HTMLFormElement} form
 * @param {Field[]} fields
 */
function contentOf(form, fields) {
  /** @type {Record<string, string | number | boolean>} */
  const out = {};
  for (const f of fields) {
    const el = /** @type {HTMLInputElement | null} */ (form.querySelector(`[name="${CSS.escape(`f_${f.name}`)}"]`));
    if (!el) continue;
    if (f.type === 'boolean') out[f.name] = el.checked;
    else if (el.value === '') continue;
    else out[f.name] = f.type === 'number' || f.type === 'integer' ? Number(el.value) : el.value;
  }
  return out;
}
