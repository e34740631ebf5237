import { api, describeError, storedKey, storeKey } from './api';
import { field, h } from './dom';
import { currentRoute, View, ViewContext } from './router';
import { explain } from './views/explain';
import { flows } from './views/flows';
import { mismatches } from './views/mismatches';
import { overview } from './views/overview';
import { suggestions } from './views/suggestions';

const VIEWS: Record<string, View> = { overview, flows, explain, mismatches, suggestions };

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const signOut = document.getElementById('sign-out') as HTMLButtonElement;
const statusEl = document.getElementById('status') as HTMLElement;
let cleanups: Array<() => void> = [];

function status(message: string, error = false): void {
  statusEl.textContent = message;
  statusEl.classList.toggle('error', error);
}

function leave(): void {
  for (const c of cleanups) c();
  cleanups = [];
  main.replaceChildren();
}

/** The sign-in form: the key is checked against the API before the console keeps it (per tab). */
function showSignIn(message = ''): void {
  leave();
  nav.hidden = true;
  signOut.hidden = true;
  const input = h('input', { type: 'password', name: 'key', autocomplete: 'off', id: 'api-key' });
  const form = h(
    'form',
    { 'aria-label': 'Sign in' },
    field('API key', input),
    h('p', { class: 'muted' }, 'Leave empty when the server runs without access control.'),
    h('button', { type: 'submit' }, 'Sign in'),
  );
  main.append(h('section', { class: 'card signin' }, h('h1', {}, 'Sign in to flowscope'), form));
  status(message, message !== '');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = input.value.trim();
    try {
      await api.check(key);
      storeKey(key);
      status('');
      if (!location.hash || location.hash === '#') location.hash = '#/overview';
      else void route();
    } catch (err) {
      status(describeError(err), true);
      input.focus();
    }
  });
  input.focus();
}

async function route(): Promise<void> {
  if (storedKey() === null) {
    showSignIn();
    return;
  }
  leave();
  nav.hidden = false;
  signOut.hidden = false;
  const { view, params } = currentRoute();
  for (const a of nav.querySelectorAll('a')) {
    if (a.getAttribute('href') === `#/${view}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const render = VIEWS[view] ?? overview;
  const ctx: ViewContext = { status, onLeave: (c) => cleanups.push(c) };
  status('Loading…');
  try {
    await render(main, params, ctx);
  } catch (err) {
    status(describeError(err), true);
  }
}

signOut.addEventListener('click', () => {
  storeKey(null);
  showSignIn('Signed out.');
});
window.addEventListener('hashchange', () => void route());
void route();
