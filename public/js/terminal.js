// Draws the server's styled screen (see docs/PROTOCOL.md "Screen view") as one div per row.
// Every non-ASCII character gets a box exactly 1 or 2 cells wide, so a glyph from a fallback font
// (emoji, CJK, symbols) cannot shift the rest of the row. Text goes in with textContent only.
import { h } from './dom.js';

/** @typedef {import('../../src/protocol/events.ts').EventMap} EventMap */

const A = { bold: 1, italic: 2, underline: 4, dim: 8, inverse: 16, invisible: 32, strike: 64, wide: 128 };
const MAX_FIT_PX = 16;

/** xterm's 256-colour palette entries 16..255 as CSS colours. */
function palette(n) {
  if (n < 232) {
    const i = n - 16;
    const v = (c) => (c ? 55 + c * 40 : 0);
    return `rgb(${v(Math.floor(i / 36))},${v(Math.floor(i / 6) % 6)},${v(i % 6)})`;
  }
  const g = 8 + (n - 232) * 10;
  return `rgb(${g},${g},${g})`;
}

function applyColor(el, c, fg) {
  if (c === undefined) return;
  if (typeof c === 'number' && c < 16) el.classList.add((fg ? 'f' : 'g') + c);
  else if (fg) el.style.color = typeof c === 'number' ? palette(c) : c;
  else el.style.background = typeof c === 'number' ? palette(c) : c;
}

function runEl(run) {
  const a = run.a || 0;
  let fg = run.fg;
  let bg = run.bg;
  const el = document.createElement('span');
  if (a & A.inverse) {
    [fg, bg] = [bg, fg];
    if (fg === undefined) el.classList.add('fi');
    if (bg === undefined) el.classList.add('gi');
  }
  applyColor(el, fg, true);
  applyColor(el, bg, false);
  if (a & A.bold) el.classList.add('b');
  if (a & A.italic) el.classList.add('i');
  if (a & A.underline) el.classList.add('u');
  if (a & A.dim) el.classList.add('d');
  if (a & A.strike) el.classList.add('s');
  if (a & A.invisible) el.classList.add('x');
  if (a & A.wide) {
    el.classList.add('w');
    el.textContent = run.t;
    return el;
  }
  if (/^[\x20-\x7e]*$/.test(run.t)) {
    el.textContent = run.t;
    return el;
  }
  // ASCII stretches stay text; each other character (grapheme) gets its own one-cell box.
  let ascii = '';
  for (const g of graphemes(run.t)) {
    if (/^[\x20-\x7e]$/.test(g)) {
      ascii += g;
      continue;
    }
    if (ascii) el.append(ascii);
    ascii = '';
    el.append(h('span', { class: 'c' }, g));
  }
  if (ascii) el.append(ascii);
  return el;
}

const segmenter = typeof Intl !== 'undefined' && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;
function graphemes(text) {
  return segmenter ? Array.from(segmenter.segment(text), (s) => s.segment) : Array.from(text);
}

export function fillRow(div, runs) {
  div.replaceChildren(...runs.map(runEl));
}

export class TermView {
  constructor() {
    this.el = h('div', { class: 'term', 'aria-label': 'terminal screen', role: 'log' });
    this.hist = h('div', { class: 'hist' });
    this.sep = h('div', { class: 'sep', hidden: true });
    this.screen = h('div', { class: 'screen' });
    this.cursor = h('div', { class: 'cursor', hidden: true });
    this.screen.append(this.cursor);
    this.el.append(this.hist, this.sep, this.screen);
    this.rows = [];
    this.cols = 80;
    /** @type {'fit' | number} or a font size in px (text-size.js) */
    this.size = 'fit';
    this.fitPx = MAX_FIT_PX;
    this.ratio = 0; // glyph advance / font size of the mono font
    this.cursorPos = null;
    this.alt = false;
    this.bracketedPaste = false;
  }

  /** A `screen` event: replace everything. @param {EventMap['screen']} ev */
  setScreen(ev) {
    this.cols = ev.cols;
    this.rows = ev.lines.map((runs) => {
      const div = h('div', { class: 'row' });
      fillRow(div, runs);
      return div;
    });
    this.screen.replaceChildren(...this.rows, this.cursor);
    this.setMeta(ev);
    this.fit();
  }

  /** A `rows` event: scroll, then replace the rows that changed. @param {EventMap['rows']} ev */
  applyRows(ev) {
    if (ev.scroll) {
      const n = Math.min(ev.scroll, this.rows.length);
      for (const div of this.rows.splice(0, n)) {
        div.replaceChildren();
        this.screen.append(div); // reuse the element as a blank bottom row
        this.rows.push(div);
      }
    }
    for (const [i, runs] of ev.rows) if (this.rows[i]) fillRow(this.rows[i], runs);
    this.setMeta(ev);
  }

  /** @param {EventMap['screen'] | EventMap['rows']} ev */
  setMeta(ev) {
    this.alt = ev.alt;
    this.bracketedPaste = ev.bracketedPaste;
    this.history = ev.history;
    const c = ev.cursor;
    this.cursorPos = c.visible ? c : null;
    this.cursor.hidden = !c.visible;
    this.cursor.style.transform = `translate(${c.x}ch, calc(${c.y} * var(--lh) * 1em))`;
  }

  /** Plain text of the screen rows (what GET /api/sessions/:id/screen returns as `lines`). */
  text() {
    return this.rows.map((r) => r.textContent.replace(/ +$/, ''));
  }

  /** Older lines from the server's scrollback, prepended above what is shown. */
  prependHistory(lines) {
    const divs = lines.map((runs) => {
      const div = h('div', { class: 'row' });
      fillRow(div, runs);
      return div;
    });
    this.hist.prepend(...divs);
    this.sep.hidden = this.hist.childElementCount === 0;
  }

  clearHistory() {
    this.hist.replaceChildren();
    this.sep.hidden = true;
  }

  setSize(size) {
    this.size = size;
    this.fit();
  }

  /**
   * Font size so that `cols` cells fill the width (fit: no lower bound, so any width fits), or the
   * chosen size when that is larger. Rounded down to 1/100 px so rounding can never add a pixel.
   */
  fit() {
    const wrap = this.el.parentElement;
    if (!wrap) return;
    if (!this.ratio) this.ratio = measureRatio(this.el);
    const width = wrap.clientWidth - 9; // .term padding, and one px of slack for sub-pixel advances
    this.fitPx = Math.min(MAX_FIT_PX, Math.floor((width / (this.cols * this.ratio)) * 100) / 100);
    const px = this.size === 'fit' ? this.fitPx : Math.max(this.size, this.fitPx);
    this.el.style.fontSize = `${px}px`;
    this.el.classList.toggle('fitted', px === this.fitPx);
  }

  /** Scrolls `wrap` sideways so the cursor's column is in view (rows start at column 0, so dialogs are too). */
  showCursor(wrap) {
    if (!this.cursorPos || this.el.classList.contains('fitted')) return (wrap.scrollLeft = 0);
    const ch = parseFloat(this.el.style.fontSize) * this.ratio;
    const x = 4 + this.cursorPos.x * ch;
    if (x < wrap.scrollLeft || x + ch > wrap.scrollLeft + wrap.clientWidth) wrap.scrollLeft = Math.max(0, x - wrap.clientWidth * 0.75);
  }
}

function measureRatio(term) {
  const probe = h('span', { class: 'row' }, '0'.repeat(100));
  probe.style.fontSize = '20px';
  probe.style.position = 'absolute';
  probe.style.visibility = 'hidden';
  term.append(probe);
  const r = probe.getBoundingClientRect().width / 100 / 20;
  probe.remove();
  return r || 0.6;
}
