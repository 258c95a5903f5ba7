// One conversation entry → DOM. Each tool call is one line that opens to its input and result;
// an Edit/Write result shows its change as a coloured diff; a subagent's entries go in one group
// under the Agent call that started it. All text goes in as text (markdown.js builds nodes).
import { h } from '../dom.js';
import { fmtCost, fmtDuration, fmtTokens } from '../usage-line.js';
import { markdown } from './markdown.js';

/** The one line that says what a tool call did: the command, file, pattern or description. */
export function toolSummary(name, input) {
  const v = input.command ?? input.file_path ?? input.path ?? input.pattern ?? input.url ?? input.description ?? input.prompt ?? '';
  return String(v).split('\n')[0].slice(0, 160);
}

function diffView(patch) {
  const rows = [];
  for (const hunk of patch.hunks) {
    rows.push(h('div', { class: 'dl hunk' }, `@@ ${patch.create ? 'new file' : `line ${hunk.newStart}`}`));
    for (const l of hunk.lines) rows.push(h('div', { class: `dl ${l[0] === '+' ? 'add' : l[0] === '-' ? 'del' : ''}` }, l));
  }
  return h('div', { class: 'cdiff' }, h('div', { class: 'dfile' }, patch.file), ...rows);
}

/** Renders entries into `root`, keeping the tool-call and subagent nodes to attach later entries to. */
export class EntryRenderer {
  constructor(root) {
    this.root = root;
    this.tools = new Map(); // tool_use id -> {details, body, summary}
    this.groups = new Map(); // agentId -> {el, body, count}
  }

  /** Elements for `items`, appended (or, with `prepend`, put before what is shown). */
  add(items, prepend = false) {
    const frag = document.createDocumentFragment();
    for (const item of items) {
      const el = this.entry(item);
      if (!el) continue;
      if (item.agentId) this.group(item.agentId, frag).body.append(el);
      else frag.append(el);
    }
    if (prepend) this.root.prepend(frag);
    else this.root.append(frag);
  }

  group(agentId, frag) {
    let g = this.groups.get(agentId);
    if (!g) {
      const count = h('span', { class: 'muted' }, '');
      const body = h('div', { class: 'gbody' });
      const el = h(
        'details',
        { class: 'subagent', dataset: { agent: agentId } },
        h('summary', {}, 'Subagent ', h('code', {}, agentId.slice(0, 8)), ' ', count),
        body,
      );
      g = { el, body, count, n: 0 };
      this.groups.set(agentId, g);
      // under the Agent call whose result names it, else where it first appears
      const call = [...this.tools.values()].find((t) => t.agentId === agentId);
      (call ? call.body : frag).append(el);
    }
    g.count.textContent = `· ${++g.n} step${g.n === 1 ? '' : 's'}`;
    return g;
  }

  entry(item) {
    if (item.kind === 'turn_end') return h('div', { class: 'turnend muted' }, `turn took ${fmtDuration(item.durationMs ?? 0)}`);
    const parts = [];
    for (const b of item.blocks) {
      if (b.type === 'text')
        parts.push(
          item.kind === 'user' && /^\s*<task-notification>/.test(b.text)
            ? h('div', { class: 'sys muted' }, 'A background task finished')
            : markdown(b.text),
        );
      else if (b.type === 'thinking')
        parts.push(h('details', { class: 'thinking' }, h('summary', {}, 'Thinking'), h('div', { class: 'pre' }, b.text)));
      else if (b.type === 'tool_use') parts.push(this.toolUse(b));
      else if (b.type === 'tool_result') this.toolResult(b);
    }
    if (parts.length === 0) return null;
    const el = h('div', { class: `msg ${item.kind}`, dataset: { id: String(item.id), kind: item.kind, at: String(item.at) } }, ...parts);
    if (item.kind === 'user' && !item.agentId) {
      el.prepend(h('div', { class: 'turnhead muted', dataset: { at: String(item.at) } }));
    }
    return el;
  }

  toolUse(b) {
    const summary = h('span', { class: 'tsum' }, toolSummary(b.name, b.input));
    const stat = h('span', { class: 'tstat' });
    const body = h('div', { class: 'tbody' }, h('div', { class: 'pre tin' }, JSON.stringify(b.input, null, 2)));
    const details = h(
      'details',
      { class: 'tool', dataset: { tool: b.name, use: b.id } },
      h('summary', {}, h('b', {}, b.name), ' ', summary, ' ', stat),
      body,
    );
    this.tools.set(b.id, { details, body, stat, name: b.name });
    return details;
  }

  toolResult(b) {
    const t = this.tools.get(b.toolUseId);
    const result = h('div', { class: `pre tout${b.isError ? ' err' : ''}` }, b.text || '(no output)');
    if (!t) return this.root.append(h('div', { class: 'msg orphan' }, result)); // its call is on an older page
    if (b.patch) {
      const lines = b.patch.hunks.flatMap((x) => x.lines);
      t.stat.textContent = `+${lines.filter((l) => l[0] === '+').length} −${lines.filter((l) => l[0] === '-').length}`;
      t.body.append(diffView(b.patch));
      t.details.classList.add('edit');
    }
    if (b.isError) t.details.classList.add('failed');
    t.body.append(result);
    if (b.agentId) {
      t.agentId = b.agentId;
      const g = this.groups.get(b.agentId); // its work arrived first: move it under the call
      if (g) t.body.append(g.el);
    }
  }

  /** Per-turn figures from GET /api/sessions/:id/usage, on each turn's first line. */
  showTurns(usage) {
    const heads = new Map([...this.root.querySelectorAll('.turnhead')].map((el) => [el.dataset.at, el]));
    usage.perTurn.forEach((t) => {
      const el = heads.get(String(t.startedAt));
      if (!el) return; // on a page not loaded
      const all =
        t.usage.input +
        t.usage.output +
        t.usage.cacheRead +
        t.usage.cacheWrite +
        t.subagents.input +
        t.subagents.output +
        t.subagents.cacheRead +
        t.subagents.cacheWrite;
      const cost = t.usage.costUsd === null || t.subagents.costUsd === null ? null : t.usage.costUsd + t.subagents.costUsd;
      el.textContent = `turn ${t.turn} · ${fmtTokens(all)} tokens · ${fmtCost(cost)}${t.activeMs ? ` · ${fmtDuration(t.activeMs)}` : ''}${t.linesAdded || t.linesRemoved ? ` · +${t.linesAdded} −${t.linesRemoved}` : ''}`;
    });
  }
}
