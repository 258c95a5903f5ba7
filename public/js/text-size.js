// Screen text size: 'fit' (all columns fit) or px from STEPS (scrolls sideways); kept in localStorage.
const KEY = 'cr.textSize';
export const STEPS = [8, 9, 10, 11, 12, 13, 14, 16];

export function savedSize() {
  try {
    const v = Number(localStorage.getItem(KEY));
    return STEPS.includes(v) ? v : 'fit';
  } catch {
    return 'fit';
  }
}

export function saveSize(size) {
  try {
    localStorage.setItem(KEY, String(size));
  } catch {}
}

/** One step up (dir 1) or down (-1); steps not above fit are skipped. */
export function stepSize(size, fitPx, dir) {
  const bigger = STEPS.filter((s) => s > fitPx + 0.25);
  if (size === 'fit') return dir > 0 && bigger.length ? bigger[0] : 'fit';
  const i = bigger.indexOf(size);
  if (dir < 0) return i > 0 ? bigger[i - 1] : 'fit';
  return i >= 0 && i < bigger.length - 1 ? bigger[i + 1] : i < 0 ? (bigger[0] ?? 'fit') : size;
}

/** Two fingers: spread = step up, pinch = step down. */
export function onPinch(el, step) {
  const pts = new Map();
  let start = 0;
  const gap = () => {
    const [a, b] = [...pts.values()];
    return Math.hypot(a.x - b.x, a.y - b.y);
  };
  el.addEventListener('pointerdown', (e) => {
    pts.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pts.size === 2) start = gap();
  });
  el.addEventListener('pointermove', (e) => {
    if (!pts.has(e.pointerId)) return;
    pts.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pts.size !== 2 || !start) return;
    const r = gap() / start;
    if (r > 1.3 || r < 0.77) step(r > 1 ? 1 : -1), (start = 0);
  });
  const up = (e) => pts.delete(e.pointerId) && (start = 0);
  el.addEventListener('pointerup', up);
  el.addEventListener('pointercancel', up);
}
