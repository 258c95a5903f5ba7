// A small line diff (LCS) for Edit/Write cards. Big inputs fall back to "all removed, all added".
const MAX_CELLS = 250_000;

/** [{op: ' ' | '-' | '+', text}] turning `oldText` into `newText`. */
export function lineDiff(oldText, newText) {
  const a = lines(oldText);
  const b = lines(newText);
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const mid = lcs(a.slice(pre, a.length - suf), b.slice(pre, b.length - suf));
  return [...a.slice(0, pre).map(same), ...mid, ...a.slice(a.length - suf).map(same)];
}

const same = (text) => ({ op: ' ', text });
// A final newline ends the last line; it does not start an empty one.
const lines = (text) => (text ? text.replace(/\n$/, '').split('\n') : []);

function lcs(a, b) {
  if (a.length * b.length > MAX_CELLS) return [...a.map((text) => ({ op: '-', text })), ...b.map((text) => ({ op: '+', text }))];
  const n = a.length;
  const m = b.length;
  const t = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) t[i][j] = a[i] === b[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) out.push(same(a[i++])), j++;
    else if (t[i + 1][j] >= t[i][j + 1]) out.push({ op: '-', text: a[i++] });
    else out.push({ op: '+', text: b[j++] });
  }
  while (i < n) out.push({ op: '-', text: a[i++] });
  while (j < m) out.push({ op: '+', text: b[j++] });
  return out;
}

/** Hunks of a unified diff string (as some tools send it) in the same shape. */
export function parseUnified(text) {
  return text
    .split('\n')
    .filter((l) => !l.startsWith('---') && !l.startsWith('+++'))
    .map((l) => {
      const op = l[0] === '+' || l[0] === '-' ? l[0] : ' ';
      return { op, text: op === ' ' && l[0] === ' ' ? l.slice(1) : op === ' ' ? l : l.slice(1) };
    });
}
