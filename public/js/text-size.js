// Text size of the session screen: "fit" (every column fits the width, however many) or a fixed
// size in px from STEPS (wider than the view: the row scrolls sideways). Kept in localStorage.
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
  } catch {
    // private mode: the choice lasts for this page only
  }
}

/** One step larger (dir 1) or smaller (dir -1) than `size`; steps not above the fit size are skipped. */
export function stepSize(size, fitPx, dir) {
  const bigger = STEPS.filter((s) => s > fitPx + 0.25);
  if (size === 'fit') return dir > 0 && bigger.length ? bigger[0] : 'fit';
  const i = bigger.indexOf(size);
  if (dir < 0) return i > 0 ? bigger[i - 1] : 'fit';
  return i >= 0 && i < bigger.length - 1 ? bigger[i + 1] : i < 0 ? bigger[0] ?? 'fit' : size;
}
