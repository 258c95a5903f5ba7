// The compact usage line of a session (tokens, cost, turns, time), from the stored transcript's
// figures (GET /api/usage?by=session, then `transcript` events). Formatting shared with the
// conversation and usage views.
import { h } from './dom.js';

export function fmtTokens(n) {
  if (n < 1000) return String(n);
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)}k`;
  return `${(n / 1e6).toFixed(n < 1e7 ? 2 : 1)}M`;
}

/** `null` cost = a model without a price: said, never guessed. */
export function fmtCost(c) {
  if (c === null || c === undefined) return 'cost unknown';
  return c < 0.01 ? `$${c.toFixed(4)}` : `$${c.toFixed(2)}`;
}

export function fmtDuration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}`;
}

/** u: {tokens, costUsd, turns, partial?} or undefined (no transcript: time only). */
export function usageLine(s, u) {
  const wall = fmtDuration((s.endedAt ?? Date.now()) - s.startedAt);
  if (!u) return h('div', { class: 'l4 usage muted' }, `${wall} · time only: no transcript, so no tokens or cost`);
  return h(
    'div',
    { class: 'l4 usage' },
    `${fmtTokens(u.tokens)} tokens · ${fmtCost(u.costUsd)} · ${u.turns} turn${u.turns === 1 ? '' : 's'} · ${wall}${u.partial?.length ? ' · partial' : ''}`,
  );
}
