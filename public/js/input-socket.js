// Input over the viewer socket (/ws/viewer?view=none): one frame per send, answered by ref, so a key
// tap costs a frame instead of an HTTP request. While the socket is not open, input goes by POST.
import { api, withPageKey } from './api.js';

/** @typedef {import('../../src/protocol/events.ts').EventMap} EventMap */
/** @typedef {typeof import('../../src/protocol/codes.ts').ViewerClose} ViewerClose */
/** @typedef {{event: 'input.ok', data: EventMap['input.ok']} | {event: 'error', data: EventMap['error']}} SocketReply */

const ACK_TIMEOUT_MS = 10000;
/** Failed connects in a row before it stops retrying (the next send tries again). */
const MAX_FAILED_OPENS = 5;
/** ViewerClose.loggedOut (tsc checks the number against it). @type {ViewerClose['loggedOut']} */
const CLOSED_LOGGED_OUT = 4001;

export function inputChannel(sessionId) {
  const sid = encodeURIComponent(sessionId);
  const waiting = new Map(); // ref -> { resolve, reject, timer }
  let ws = null;
  let n = 0;
  let ended = false;
  let backoff = 1000;
  let retry = 0;
  let failedOpens = 0;

  const settle = (ref, err) => {
    const w = waiting.get(ref);
    if (!w) return;
    waiting.delete(ref);
    clearTimeout(w.timer);
    if (err) w.reject(err);
    else w.resolve();
  };
  // Sent, but the server never said whether it landed: the screen tells; the caller must not resend blindly.
  const unconfirmed = (why) => Object.assign(new Error(why), { unconfirmed: true });

  const open = () => {
    if (ended) return;
    const s = new WebSocket(
      `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${withPageKey(`/ws/viewer?session=${sid}&view=none`)}`,
    );
    ws = s;
    let opened = false;
    s.onopen = () => {
      opened = true;
      failedOpens = 0;
      backoff = 1000;
    };
    s.onmessage = (e) => {
      /** @type {SocketReply} */
      let m;
      try {
        m = JSON.parse(e.data);
      } catch {
        return;
      }
      if (m.event === 'input.ok') settle(m.data.ref);
      else if (m.event === 'error')
        settle(
          m.data.ref,
          Object.assign(new Error(m.data.message), {
            status: m.data.code === 'not_connected' ? 409 : m.data.code === 'unauthorized' ? 401 : 400,
            code: m.data.code,
          }),
        );
    };
    s.onclose = (e) => {
      if (ws === s) ws = null;
      for (const ref of [...waiting.keys()]) settle(ref, unconfirmed('the connection dropped before the server confirmed it'));
      if (e.code === CLOSED_LOGGED_OUT) {
        // the login ended: stop, and let the API's 401 handling show the login form
        ended = true;
        api('/api/me').catch(() => {});
        return;
      }
      if (!opened) failedOpens++;
      if (ended || failedOpens >= MAX_FAILED_OPENS) return; // gone or refused: the next send tries again
      clearTimeout(retry);
      retry = setTimeout(open, backoff);
      backoff = Math.min(backoff * 2, 15000);
    };
  };
  open();

  return {
    /** `body` is `{text}` or `{keys}`; resolves once the session's wrapper has it. */
    send(body) {
      if (!ws || ws.readyState !== WebSocket.OPEN) {
        if (!ws && !ended && failedOpens >= MAX_FAILED_OPENS) {
          failedOpens = 0;
          open();
        }
        return api(`/api/sessions/${sid}/input`, { method: 'POST', body });
      }
      const ref = `i${++n}`;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => settle(ref, unconfirmed('no answer from the server')), ACK_TIMEOUT_MS);
        waiting.set(ref, { resolve, reject, timer });
        ws.send(JSON.stringify({ type: 'input', ref, ...body }));
      });
    },
    close() {
      ended = true;
      clearTimeout(retry);
      ws?.close();
    },
  };
}
