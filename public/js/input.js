// Typing into a session: a line box (Enter sends the text plus "\r") and a bar of the keys a phone
// lacks. Only what the user typed or tapped is sent. Enter during IME composition belongs to the IME
// (it commits the word), so nothing is sent while composing.
import { h, toast } from './dom.js';
import { inputChannel } from './input-socket.js';

/** @type {[string, string[]][]} */
const KEYS = [
  ['Esc', ['esc']],
  ['⇧Tab', ['shift-tab']],
  ['Tab', ['tab']],
  ['↑', ['up']],
  ['↓', ['down']],
  ['←', ['left']],
  ['→', ['right']],
  ['⏎', ['enter']],
  ['^C', ['ctrl-c']],
  ['1', ['1']],
  ['2', ['2']],
  ['3', ['3']],
  ['4', ['4']],
  ['⌫', ['backspace']],
];
const LABELS = {
  Esc: 'Escape',
  '⇧Tab': 'Shift+Tab',
  '↑': 'Up',
  '↓': 'Down',
  '←': 'Left',
  '→': 'Right',
  '⏎': 'Enter',
  '^C': 'Ctrl+C',
  '⌫': 'Backspace',
};

/** `getTerm()` gives the TermView (for bracketed paste mode). */
export function inputBar(sessionId, getTerm) {
  const channel = inputChannel(sessionId);
  const post = (body) =>
    channel.send(body).catch((e) => {
      toast(
        e.status === 409
          ? 'The session is not connected right now'
          : e.unconfirmed
            ? `Not confirmed: ${e.message}; check the screen`
            : `Not sent: ${e.message}`,
      );
      throw e;
    });

  const field = h('textarea', {
    rows: 1,
    placeholder: 'Type to the session…',
    'aria-label': 'text to send',
    autocapitalize: 'off',
    autocomplete: 'off',
    autocorrect: 'off',
    spellcheck: 'false',
    enterkeyhint: 'send',
  });
  let composing = false;
  field.addEventListener('compositionstart', () => (composing = true));
  field.addEventListener('compositionend', () => (composing = false));

  const sendLine = () => {
    // A line break some keyboards leave behind (e.g. an Enter that ended a composition) is not text to send.
    const text = field.value.replace(/\n+$/, '');
    field.value = '';
    autosize();
    post({ text: toPty(text, getTerm()) + '\r' }).catch(() => {
      if (!field.value) field.value = text; // give the text back so it is not lost
    });
  };
  // Desktop keyboards and iOS: keydown Enter. Shift+Enter keeps a newline in the box.
  let newline = false;
  field.addEventListener('keydown', (e) => {
    newline = e.key === 'Enter' && e.shiftKey;
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing || composing || e.keyCode === 229) return;
    e.preventDefault();
    sendLine();
  });
  // Android keyboards often report every key as 229; their Enter still arrives as a line break input.
  field.addEventListener('beforeinput', (e) => {
    if ((e.inputType === 'insertLineBreak' || e.inputType === 'insertParagraph') && !e.isComposing && !composing && !newline) {
      e.preventDefault();
      sendLine();
    }
  });
  const autosize = () => {
    field.style.height = 'auto';
    field.style.height = `${Math.min(field.scrollHeight + 2, innerHeight * 0.3)}px`;
  };
  field.addEventListener('input', autosize);

  const keyButtons = KEYS.map(([label, keys]) => {
    const b = h('button', { type: 'button', 'aria-label': LABELS[label] || label, dataset: { keys: keys.join(',') } }, label);
    // pointerdown + preventDefault keeps focus (and the soft keyboard) on the line box.
    b.addEventListener('pointerdown', (e) => e.preventDefault());
    b.addEventListener('click', () => post({ keys }).catch(() => {}));
    return b;
  });
  const send = h('button', { class: 'btn primary', type: 'button', 'aria-label': 'send line' }, 'Send');
  send.addEventListener('pointerdown', (e) => e.preventDefault());
  send.addEventListener('click', sendLine);

  const el = h(
    'div',
    { class: 'inputbar' },
    h('div', { class: 'keys', role: 'toolbar', 'aria-label': 'keys' }, keyButtons),
    h('div', { class: 'line' }, field, send),
  );
  return {
    el,
    setEnabled(on) {
      el.classList.toggle('off', !on);
    },
    close: () => channel.close(),
  };
}

/** Newlines as a terminal sends them; a multi-line paste wrapped in bracketed paste if the app asked for it. */
function toPty(text, term) {
  const body = text.replace(/\r?\n/g, '\r');
  return term && term.bracketedPaste && body.includes('\r') ? `\x1b[200~${body}\x1b[201~` : body;
}
