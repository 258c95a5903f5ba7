// A small Markdown renderer that builds DOM nodes from text: headings, lists, fenced code, quotes,
// paragraphs, **bold**, *italic*, `code`, [links](https://…). Transcript text is untrusted: nothing
// is ever parsed as HTML (no innerHTML anywhere); a <script> in an answer is shown as text.
import { h } from '../dom.js';

const SAFE_URL = /^https?:\/\//i;

/** Inline spans of one line of text, as nodes. */
export function inline(text) {
  const out = [];
  const re = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\*[^*\s][^*]*\*)|(\[[^\]]+\]\([^)\s]+\))/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const t = m[0];
    if (m[1]) out.push(h('code', {}, t.slice(1, -1)));
    else if (m[2]) out.push(h('strong', {}, ...inline(t.slice(2, -2))));
    else if (m[3]) out.push(h('em', {}, ...inline(t.slice(1, -1))));
    else {
      const [, label, url] = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(t);
      out.push(SAFE_URL.test(url) ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, label) : t);
    }
    last = m.index + t.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** The blocks of a Markdown text, as one element. */
export function markdown(text) {
  const root = h('div', { class: 'md' });
  const lines = String(text).split('\n');
  let para = [];
  let list = null;
  const flush = () => {
    if (para.length) root.append(h('p', {}, ...inline(para.join(' '))));
    para = [];
  };
  const endList = () => (list = null);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^\s*```/.exec(line);
    if (fence) {
      flush();
      endList();
      const code = [];
      for (i++; i < lines.length && !/^\s*```/.test(lines[i]); i++) code.push(lines[i]);
      root.append(h('pre', {}, h('code', {}, code.join('\n'))));
      continue;
    }
    const head = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/.exec(line);
    if (head) {
      flush();
      endList();
      root.append(h(`h${Math.min(6, head[1].length + 2)}`, {}, ...inline(head[2])));
    } else if (item) {
      flush();
      const tag = item[1] ? 'ul' : 'ol';
      if (!list || list.tagName.toLowerCase() !== tag) root.append((list = h(tag, {})));
      list.append(h('li', {}, ...inline(item[3])));
    } else if (/^\s*>/.test(line)) {
      flush();
      endList();
      root.append(h('blockquote', {}, ...inline(line.replace(/^\s*>\s?/, ''))));
    } else if (!line.trim()) {
      flush();
      endList();
    } else {
      endList();
      para.push(line.trim());
    }
  }
  flush();
  return root;
}
