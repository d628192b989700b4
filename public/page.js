// Valgvagt's page script, on every page (a few kilobytes, cached by the
// browser). The volunteer's phone pages come without wasm (see
// `is_phone_page` in app/src/lib.rs); for them this is all the script there
// is, so it carries what those pages cannot do with HTML alone.
'use strict';

// The service worker: offline pages and push notifications. It never asks
// for permission to notify: that happens only from a button.
if ('serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error) => {
      console.warn('service worker not registered', error);
    });
  });
}

// Instant feedback: a form that goes to the server as a plain POST marks
// itself busy (and its button unpressable) until the next page arrives.
// Forms the wasm sends itself (it prevents the default) are left alone.
document.addEventListener('submit', (event) => {
  const form = event.target;
  setTimeout(() => {
    if (!event.defaultPrevented && form instanceof HTMLFormElement) {
      form.setAttribute('aria-busy', 'true');
    }
  }, 0);
});
// This device's push subscription, once the service worker knows it.
const pushSubscription =
  'serviceWorker' in navigator && 'PushManager' in window
    ? navigator.serviceWorker.ready
        .then((registration) => registration.pushManager.getSubscription())
        .catch(() => null)
    : Promise.resolve(null);
// The sign-out form names it, so the server forgets it.
pushSubscription.then((subscription) => {
  if (!subscription) return;
  for (const input of document.querySelectorAll('input[name="push_endpoint"]')) {
    input.value = subscription.endpoint;
  }
});
// Signing out forgets the pages the service worker kept for this person at
// once, before the answer comes (and even if it never does), and the
// browser drops this device's push subscription too.
document.addEventListener('submit', (event) => {
  const form = event.target;
  const action = form instanceof HTMLFormElement ? form.getAttribute('action') || '' : '';
  if (!action.startsWith('/api/auth/sign_out')) return;
  navigator.serviceWorker?.controller?.postMessage('forget-pages');
  pushSubscription.then((subscription) => subscription?.unsubscribe()).catch(() => {});
});
window.addEventListener('pageshow', () => {
  for (const form of document.querySelectorAll('form[aria-busy="true"]')) {
    form.removeAttribute('aria-busy');
  }
});

// WebAuthn's binary fields travel as unpadded base64url in JSON.
function fromBase64Url(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0)).buffer;
}

function toBase64Url(buffer) {
  let raw = '';
  for (const byte of new Uint8Array(buffer)) raw += String.fromCharCode(byte);
  return btoa(raw).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// A server function's refusal is an `AppError` as JSON: its message key.
async function refusalKey(response) {
  try {
    const error = await response.json();
    const inner = error && typeof error === 'object' ? Object.values(error)[0] : null;
    return (inner && inner.key) || '';
  } catch {
    return '';
  }
}

// Signing in with a passkey on /signin: the ceremony the wasm runs on other
// pages, against the same server functions. Messages come translated in
// the button's data attributes.
async function passkeySignIn(box, button) {
  const say = (key) => {
    box.querySelector('.alert')?.remove();
    const text = box.dataset[key] || box.dataset.failed;
    const alert = document.createElement('div');
    alert.className = 'alert alert-error';
    alert.setAttribute('role', 'alert');
    alert.append(Object.assign(document.createElement('p'), { textContent: text }));
    box.prepend(alert);
  };
  const known = { 'passkeys.expired': 'expired', 'auth.rate_limited': 'rateLimited' };
  button.disabled = true;
  try {
    const start = await fetch('/api/passkeys/sign_in_start', { method: 'POST' });
    if (!start.ok) return say(known[await refusalKey(start)] || 'failed');
    const { ceremony, options } = await start.json();
    const publicKey = { ...options.publicKey, challenge: fromBase64Url(options.publicKey.challenge) };
    publicKey.allowCredentials = (publicKey.allowCredentials || []).map((c) => ({ ...c, id: fromBase64Url(c.id) }));
    let credential;
    try {
      credential = await navigator.credentials.get({ publicKey });
    } catch {
      return say('cancelled');
    }
    if (!credential) return say('cancelled');
    const r = credential.response;
    const response = {
      id: credential.id,
      rawId: toBase64Url(credential.rawId),
      response: {
        authenticatorData: toBase64Url(r.authenticatorData),
        clientDataJSON: toBase64Url(r.clientDataJSON),
        signature: toBase64Url(r.signature),
        userHandle: r.userHandle ? toBase64Url(r.userHandle) : null,
      },
      extensions: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      type: credential.type,
    };
    const finish = await fetch('/api/passkeys/sign_in_finish', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ ceremony, response }),
    });
    if (!finish.ok) return say(known[await refusalKey(finish)] || 'failed');
    // A full load, so every part of the page sees the new session.
    window.location.assign(box.dataset.next || '/');
  } catch {
    say('failed');
  } finally {
    button.disabled = false;
  }
}

// The newcomer's form in two steps, as the wasm shows it: step 1's fields
// must be valid before step 2 (privacy text and consent) appears. Without
// script both steps are one plain form.
function steps(form) {
  const first = form.querySelector('[data-step="1"]');
  const second = form.querySelector('[data-step="2"]');
  const next = form.querySelector('[data-step-next]');
  const back = form.querySelector('[data-step-back]');
  if (!first || !second || !next || !back) return;
  const show = (step) => {
    first.hidden = step !== 1;
    second.hidden = step !== 2;
    next.hidden = step !== 1;
    back.hidden = step !== 2;
  };
  show(1);
  next.querySelector('button')?.addEventListener('click', () => {
    const fields = [...first.querySelectorAll('input, select, textarea')];
    const invalid = fields.find((field) => !field.checkValidity());
    if (invalid) {
      invalid.reportValidity();
      return;
    }
    show(2);
    second.querySelector('h2')?.focus();
  });
  back.addEventListener('click', () => {
    show(1);
    first.querySelector('h2')?.focus();
  });
}

function enhance() {
  if (document.body.dataset.wasm === '1') return; // the wasm does all this
  for (const form of document.querySelectorAll('form[data-steps]')) steps(form);
  if (window.PublicKeyCredential) {
    for (const box of document.querySelectorAll('[data-passkey-sign-in]')) {
      const button = box.querySelector('button');
      if (!button) continue;
      button.disabled = false;
      button.addEventListener('click', () => passkeySignIn(box, button));
    }
  }
  // Tests (and curious people) can tell the page is live.
  document.body.setAttribute('data-ready', 'true');
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', enhance);
} else {
  enhance();
}
