// Prompt cards inline in the conversation, where they were asked: after the tool call the prompt
// is about (its toolUseId), else after the last message written before it. They are the session
// view's own cards (js/cards.js), so an answer from here follows the same sent/taken rules.
import { cardsToShow, lingering, syncCards } from '../cards.js';
import { h } from '../dom.js';
import { promptsToShow, state } from '../live.js';

export class InlineCards {
  constructor(list, sessionId) {
    this.list = list;
    this.id = sessionId;
    this.slots = new Map(); // prompt id -> its slot in the list
    this.timer = 0;
  }

  /** Shows the session's pending prompts (and, for a moment, the ones just answered) in place. */
  sync() {
    clearTimeout(this.timer);
    const prompts = cardsToShow(promptsToShow(this.id), this.list);
    const wanted = new Set(prompts.map((p) => p.id));
    for (const [pid, slot] of this.slots) {
      if (wanted.has(pid)) continue;
      slot.remove();
      this.slots.delete(pid);
    }
    for (const p of prompts) {
      let slot = this.slots.get(p.id);
      if (!slot) this.slots.set(p.id, (slot = h('div', { class: 'cards icard', dataset: { prompt: p.id } })));
      syncCards(slot, [p]);
      this.place(slot, p);
    }
    if (lingering(this.list)) this.timer = setTimeout(() => this.sync(), 1000);
  }

  /** New entries arrived: each card goes back to where its prompt was asked. */
  replace() {
    for (const [pid, slot] of this.slots) {
      const p = state.prompts.get(pid);
      if (p) this.place(slot, p);
    }
  }

  place(slot, p) {
    const tool = p.toolUseId ? this.list.querySelector(`.tool[data-use="${CSS.escape(p.toolUseId)}"]`) : null;
    if (tool) {
      // after the outermost folded part that holds the call (a subagent under its Agent call), so it is seen
      let host = tool;
      for (let d = tool.parentElement?.closest('details'); d && this.list.contains(d); d = d.parentElement?.closest('details')) host = d;
      if (host.nextElementSibling !== slot) host.after(slot);
      return;
    }
    let after = null;
    for (const m of this.list.querySelectorAll(':scope > .msg')) {
      if (Number(m.dataset.at) > p.createdAt) break;
      after = m;
    }
    if (after) {
      if (after.nextElementSibling !== slot) after.after(slot);
    } else if (this.list.firstElementChild !== slot) this.list.prepend(slot);
  }

  close() {
    clearTimeout(this.timer);
  }
}
