// Login: by the printed one-time link (<base>/#login=…), a link with the token (#token=…), or by pasting the admin token.
import { api } from './api.js';
import { h } from './dom.js';

/**
 * Takes a login ticket (#login=…) or the admin token (#token=…) from the URL fragment, removing it
 * from the address bar and history at once. Returns the login body, or null.
 */
export function credentialsFromFragment() {
  const m = /^#(login|token)=([^&]+)/.exec(location.hash);
  if (!m) return null;
  history.replaceState(null, '', `${location.pathname}${location.search}#/`);
  try {
    const value = decodeURIComponent(m[2]);
    return m[1] === 'login' ? { ticket: value } : { token: value };
  } catch {
    return null;
  }
}

export async function login(body) {
  await api('/api/login', { method: 'POST', body });
}

export function loginView(root, onDone, message) {
  const field = h('input', {
    type: 'password',
    name: 'token',
    autocomplete: 'current-password',
    placeholder: 'Admin token',
    'aria-label': 'admin token',
    required: true,
  });
  const err = h('p', { class: 'error', role: 'alert' }, message || '');
  const form = h(
    'form',
    { class: 'form' },
    h('p', {}, 'Open the login link the server printed (or scan its QR code), or paste the admin token:'),
    field,
    h('button', { class: 'btn primary', type: 'submit' }, 'Log in'),
    err,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    err.textContent = '';
    try {
      await login({ token: field.value.trim() });
      onDone();
    } catch (ex) {
      err.textContent = ex.status === 401 ? 'Wrong token.' : `Could not log in: ${ex.message}`;
    }
  });
  root.replaceChildren(form);
  field.focus();
}
