// #/usage: what the sessions cost, by day (a bar chart drawn here as SVG nodes), machine and folder.
import { api } from '../api.js';
import { h } from '../dom.js';
import { fmtCost, fmtTokens } from '../usage-line.js';

const SVG = 'http://www.w3.org/2000/svg';
const DAYS = 30;

function svg(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

const tokens = (u) => u.input + u.output + u.cacheRead + u.cacheWrite;
const exact = (n) => n.toLocaleString('en-US');

/** Bars of one figure per day for the last DAYS days (cost, or tokens when a cost is unknown). */
export function dayChart(buckets, now = Date.now()) {
  const byKey = new Map(buckets.map((b) => [b.key, b.usage]));
  const days = [];
  for (let i = DAYS - 1; i >= 0; i--) days.push(new Date(now - i * 86400_000).toISOString().slice(0, 10));
  const useCost = buckets.every((b) => b.usage.costUsd !== null);
  const value = (u) => (u ? (useCost ? u.costUsd : tokens(u)) : 0);
  const max = Math.max(...days.map((d) => value(byKey.get(d))), 0) || 1;
  const W = 300;
  const H = 120;
  const bw = W / DAYS;
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H + 14}`,
    role: 'img',
    'aria-label': `${useCost ? 'cost' : 'tokens'} per day, last ${DAYS} days`,
  });
  root.append(svg('line', { class: 'axis', x1: 0, y1: H, x2: W, y2: H }));
  days.forEach((d, i) => {
    const v = value(byKey.get(d));
    const bh = Math.round((v / max) * (H - 12));
    const bar = svg('rect', { class: 'bar', x: (i * bw + 1).toFixed(1), y: H - bh, width: (bw - 2).toFixed(1), height: bh, dataset: d });
    bar.append(svg('title', {}, `${d}: ${useCost ? fmtCost(v) : `${fmtTokens(v)} tokens`}`));
    root.append(bar);
  });
  root.append(
    svg('text', { x: 0, y: H + 11 }, days[0].slice(5)),
    svg('text', { x: W, y: H + 11, 'text-anchor': 'end' }, days.at(-1).slice(5)),
  );
  root.append(svg('text', { x: 2, y: 9 }, useCost ? fmtCost(max) : `${fmtTokens(max)} tokens`));
  return root;
}

function table(report) {
  return h(
    'table',
    {},
    ...report.buckets.map((b) =>
      h(
        'tr',
        {},
        h('td', {}, b.key),
        h('td', { class: 'n' }, `${b.sessions}`),
        h('td', { class: 'n' }, fmtTokens(tokens(b.usage))),
        h('td', { class: 'n' }, fmtCost(b.usage.costUsd)),
      ),
    ),
  );
}

export function usageView(root) {
  root.replaceChildren(h('div', { class: 'usage-page' }, h('p', { class: 'muted' }, 'Loading…')));
  let closed = false;
  const from = Date.now() - DAYS * 86400_000;
  Promise.all(['day', 'machine', 'folder'].map((by) => api(`/api/usage?by=${by}&from=${from}`))).then(
    ([day, machine, folder]) => {
      if (closed) return;
      const t = day.total;
      root.replaceChildren(
        h(
          'div',
          { class: 'usage-page', dataset: { ready: '1' } },
          h('h2', {}, `Last ${DAYS} days`),
          h(
            'div',
            { class: 'total' },
            fmtCost(t.costUsd),
            h('span', { class: 'muted' }, ` · ${fmtTokens(tokens(t))} tokens · ${t.responses} responses`),
          ),
          h(
            'div',
            { class: 'kinds muted' },
            `input ${exact(t.input)} · output ${exact(t.output)} · cache read ${exact(t.cacheRead)} · cache write ${exact(t.cacheWrite)}`,
          ),
          t.unknownModels.length
            ? h('p', { class: 'muted' }, `No price for: ${t.unknownModels.join(', ')} (cost unknown, not guessed)`)
            : null,
          dayChart(day.buckets),
          h('h2', {}, 'By machine'),
          table(machine),
          h('h2', {}, 'By folder'),
          table(folder),
        ),
      );
    },
    (e) => !closed && root.replaceChildren(h('p', { class: 'pad' }, `Could not load usage: ${e.message}`)),
  );
  return () => (closed = true);
}
