// Valgvagt's page script, on every page (a few kilobytes, cached by the
// browser). Every page is rendered whole on the server and its forms post
// without script; this adds what HTML alone cannot, driven by data
// attributes in the pages. The few widgets with logic of their own are
// Rust islands (app/src/browser.rs), whose wasm only their pages load.
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
  // Taps not sent yet go with the rest: the person decides.
  const box = document.getElementById('offline-status');
  if (Number(box?.dataset.waitingCount) > 0 && !window.confirm(box.dataset.signOutWaiting)) {
    event.preventDefault();
    return;
  }
  navigator.serviceWorker?.controller?.postMessage('forget-pages');
  pushSubscription.then((subscription) => subscription?.unsubscribe()).catch(() => {});
});
window.addEventListener('pageshow', () => {
  for (const form of document.querySelectorAll('form[aria-busy="true"]')) {
    form.removeAttribute('aria-busy');
  }
});

// A form whose answer is shown once where the form is (a new calendar
// feed's address: the server keeps only its hash). Posted here, so the
// page need not load again; the answer goes into the field the form names
// (`data-answer`), and a refusal is shown in the words the server sent.
document.addEventListener('submit', async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.answer) return;
  event.preventDefault();
  const field = document.getElementById(form.dataset.answer);
  const box = document.querySelector(`[data-answer-box="${form.dataset.answer}"]`);
  form.querySelector('.alert')?.remove();
  form.setAttribute('aria-busy', 'true');
  try {
    const response = await fetch(form.action, {
      method: 'POST',
      headers: { Accept: 'application/json' },
      body: new URLSearchParams(new FormData(form)),
    });
    if (!response.ok) throw new Error(await refusalText(response));
    field.value = await response.json();
    if (box) box.hidden = false;
    field.focus();
    field.select();
  } catch (error) {
    const alert = document.createElement('div');
    alert.className = 'alert alert-error';
    alert.setAttribute('role', 'alert');
    alert.append(Object.assign(document.createElement('p'), { textContent: error.message }));
    form.prepend(alert);
  } finally {
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

// A WebAuthn credential as the server reads it (binary fields as
// base64url); `response` holds the ceremony's own fields.
function credentialJson(credential, response) {
  return {
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    response,
    extensions: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
    type: credential.type,
  };
}

// A server function's refusal in the reader's language: an `AppError` as
// JSON carries its words beside its key (`text`, and `label` for the
// field). Null when the answer has none.
async function refusalOf(response) {
  try {
    const error = await response.json();
    const inner = error && typeof error === 'object' ? Object.values(error)[0] : null;
    if (!inner || !inner.text) return null;
    const text = inner.arg == null ? inner.text : inner.text.replace('{n}', inner.arg);
    return { message: inner.label ? `${inner.label}: ${text}` : text, field: inner.field };
  } catch {
    return null;
  }
}

async function refusalText(response) {
  return (await refusalOf(response))?.message || response.statusText;
}

// A message in a box, in place of an earlier one.
function say(box, text) {
  box.querySelector('.alert')?.remove();
  const alert = document.createElement('div');
  alert.className = 'alert alert-error';
  alert.setAttribute('role', 'alert');
  alert.append(Object.assign(document.createElement('p'), { textContent: text }));
  box.prepend(alert);
}

// A POST to a server function that answers JSON.
function postJson(url, body) {
  return fetch(url, {
    method: 'POST',
    headers: body ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
}

// One passkey ceremony: the server's challenge, the browser's credential
// (`ask`), the server's check of it. Refusals are shown in the server's
// words, the browser's own failures with the box's data attributes (in
// the reader's language). True when the server took it.
async function passkeyCeremony(box, { start, finish, ask, answer, more }) {
  const begun = await postJson(start);
  if (!begun.ok) {
    say(box, await refusalText(begun));
    return false;
  }
  const { ceremony, options } = await begun.json();
  let credential = null;
  try {
    credential = await ask(options.publicKey);
  } catch {
    // cancelled, or no authenticator
  }
  if (!credential) {
    say(box, box.dataset.cancelled);
    return false;
  }
  const response = credentialJson(credential, answer(credential.response));
  const done = await postJson(finish, { ceremony, ...more, response });
  if (!done.ok) {
    say(box, await refusalText(done));
    return false;
  }
  return true;
}

// Signing in with a passkey on /signin; then the page in `data-next`, as
// a full load, so every part of it sees the new session.
async function passkeySignIn(box, button) {
  button.disabled = true;
  try {
    const signedIn = await passkeyCeremony(box, {
      start: '/api/passkeys/sign_in_start',
      finish: '/api/passkeys/sign_in_finish',
      ask: (publicKey) =>
        navigator.credentials.get({
          publicKey: {
            ...publicKey,
            challenge: fromBase64Url(publicKey.challenge),
            allowCredentials: (publicKey.allowCredentials || []).map((c) => ({ ...c, id: fromBase64Url(c.id) })),
          },
        }),
      answer: (r) => ({
        authenticatorData: toBase64Url(r.authenticatorData),
        clientDataJSON: toBase64Url(r.clientDataJSON),
        signature: toBase64Url(r.signature),
        userHandle: r.userHandle ? toBase64Url(r.userHandle) : null,
      }),
    });
    if (signedIn) window.location.assign(box.dataset.next || '/');
  } catch {
    say(box, box.dataset.failed);
  } finally {
    button.disabled = false;
  }
}

// Making a passkey on this device (the account page, the newcomer's welcome
// page); then the page in `data-then` loads and shows it.
async function passkeyCreate(form, button) {
  button.disabled = true;
  try {
    const made = await passkeyCeremony(form, {
      start: '/api/passkeys/register_start',
      finish: '/api/passkeys/register_finish',
      more: { name: form.elements.namedItem('name').value },
      ask: (publicKey) =>
        navigator.credentials.create({
          publicKey: {
            ...publicKey,
            challenge: fromBase64Url(publicKey.challenge),
            user: { ...publicKey.user, id: fromBase64Url(publicKey.user.id) },
            excludeCredentials: (publicKey.excludeCredentials || []).map((c) => ({ ...c, id: fromBase64Url(c.id) })),
          },
        }),
      answer: (r) => ({
        attestationObject: toBase64Url(r.attestationObject),
        clientDataJSON: toBase64Url(r.clientDataJSON),
        transports: r.getTransports ? r.getTransports() : undefined,
      }),
    });
    if (made) window.location.assign(form.dataset.then || '/account');
  } catch {
    say(form, form.dataset.failed);
  } finally {
    button.disabled = false;
  }
}

// Push on this device, after a tap (browsers ask for permission only
// then): subscribe with the server's key, store the subscription, and load
// the page again so it lists the device.
async function pushTurnOn(form, button) {
  button.disabled = true;
  try {
    if (!('serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window)) {
      return say(form, form.dataset.unsupported);
    }
    if ((await Notification.requestPermission()) !== 'granted') return say(form, form.dataset.denied);
    const registration = await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: fromBase64Url(form.dataset.key),
    });
    const { endpoint, keys } = subscription.toJSON();
    const device_name = form.elements.namedItem('device_name').value;
    const stored = await postJson('/api/push/subscribe', { subscription: { endpoint, keys, device_name } });
    if (!stored.ok) return say(form, await refusalText(stored));
    window.location.reload();
  } catch {
    say(form, form.dataset.failed);
  } finally {
    button.disabled = false;
  }
}

// The newcomer's form in two steps: step 1's fields must be valid before
// step 2 (privacy text and consent) appears. Without script both steps are
// one plain form.
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

// Forms with something typed or chosen in them post in place: sent from
// here to their server function, so a refusal is shown on the form in the
// server's words and what was typed stays; on success the page goes where
// the server says, or loads again. Buttons alone (sign out, answer, delete,
// check in) post as they are, and so does every form without script or
// when an answer has no words: the server's page then says what happened.
// Registered after the other submit handlers, so forms they take over
// (they prevent the default) are left alone.
function postInPlace() {
  const typed = (form) =>
    [...form.elements].some((e) => e.matches('textarea, select, input:not([type="hidden"], [type="submit"], [type="button"])'));
  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    if (form.method !== 'post' || !(form.getAttribute('action') || '').startsWith('/api/')) return;
    if (form.dataset.plain || !typed(form)) return; // as it is
    event.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return; // one send at a time
    const plain = () => {
      form.dataset.plain = '1';
      form.requestSubmit(event.submitter);
    };
    form.setAttribute('aria-busy', 'true');
    form.querySelector('.alert')?.remove();
    let response;
    try {
      response = await fetch(form.action, {
        method: 'POST',
        headers: { Accept: 'application/json' },
        body: new URLSearchParams(new FormData(form, event.submitter)),
      });
    } catch {
      form.removeAttribute('aria-busy');
      // No network after all: a form that may wait does, on the phone.
      if (form.dataset.queue) return offlineStore().then((store) => queueForm(store, form));
      return plain();
    }
    if (response.ok) {
      // Where the server sends the browser, loaded even when it is this
      // page again (maybe with another #part, which alone would not load).
      const next = new URL(response.headers.get('Location') || window.location.href, window.location.href);
      const here = window.location;
      if (next.pathname === here.pathname && next.search === here.search) {
        window.history.replaceState(null, '', next);
        here.reload();
      } else {
        here.assign(next);
      }
      return; // busy until the next page is here
    }
    form.removeAttribute('aria-busy');
    const refusal = await refusalOf(response);
    if (!refusal) return plain();
    say(form, refusal.message);
    const field = refusal.field && [...form.elements].find(
      (e) => e.name === refusal.field || e.name.endsWith(`[${refusal.field}]`),
    );
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.addEventListener('input', () => field.removeAttribute('aria-invalid'), { once: true });
      field.focus();
    }
  });
}

// Parts of a page that follow changes: fetch the page again and put the
// fresh server-rendered part (same id) in place of ours. Focus stays where
// it was when the fresh part has the same element (by id or link).
async function swapIn(url, ids) {
  const response = await fetch(url, { headers: { Accept: 'text/html' }, credentials: 'same-origin' });
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
  const focused = document.activeElement;
  for (const id of ids) {
    const ours = document.getElementById(id);
    const theirs = fresh.getElementById(id);
    if (!ours || !theirs) continue;
    const hadFocus = focused && ours.contains(focused);
    const focusId = hadFocus && focused.id;
    const focusHref = hadFocus && focused.getAttribute('href');
    ours.innerHTML = theirs.innerHTML;
    if (hadFocus) {
      const again = focusId
        ? document.getElementById(focusId)
        : focusHref && [...ours.querySelectorAll('[href]')].find((e) => e.getAttribute('href') === focusHref);
      again?.focus();
    }
  }
}

// `data-live-events="URL"`: a server-sent event stream says when the part
// changed (the gap board: any seat anywhere). Each event, and every
// `data-live-every` seconds (the clock alone makes someone late), the part
// is fetched fresh; events that come meanwhile make one more fetch after
// it, not one each. The stream greets every (re)connection with an event,
// so a part that was cut off catches up.
function follow(part) {
  let busy = false;
  let again = false;
  const refresh = async () => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        await swapIn(window.location.href, [part.id]).catch(() => {});
        part.dispatchEvent(new Event('valgvagt-swapped'));
      } while (again);
    } finally {
      busy = false;
    }
  };
  const events = new EventSource(part.dataset.liveEvents);
  events.addEventListener('seats', refresh);
  // Connected: every change from now on is announced (tests wait for it).
  events.addEventListener('open', () => {
    part.dataset.live = 'open';
  });
  const every = Number(part.dataset.liveEvery);
  if (every > 0) setInterval(refresh, every * 1000);
}

// `<form data-live-search="ID">`: a GET search form whose results (the part
// `ID`) follow typing in its search field, a moment after the last key;
// the address follows too. Without script it is a form with a button.
function liveSearch(form) {
  let latest = 0;
  form.addEventListener('input', (event) => {
    if (!(event.target instanceof HTMLInputElement) || event.target.type !== 'search') return;
    const mine = ++latest;
    setTimeout(async () => {
      if (mine !== latest) return;
      const params = new URLSearchParams();
      for (const [name, value] of new FormData(form)) {
        if (value !== '') params.append(name, value);
      }
      const query = params.toString();
      const address = form.getAttribute('action') + (query ? `?${query}` : '');
      window.history.replaceState(null, '', address);
      await swapIn(address, [form.dataset.liveSearch]).catch(() => {});
    }, 250);
  });
}

// `<form method="get" data-remember="KEY">`: this browser keeps the last
// choice; opening the page without one brings it back.
function remember(form) {
  const key = form.dataset.remember;
  const search = window.location.search.replace(/^\?/, '');
  try {
    if (search) {
      localStorage.setItem(key, search);
    } else {
      const saved = localStorage.getItem(key);
      if (saved) {
        window.location.replace(`${window.location.pathname}?${saved}`);
        return true;
      }
    }
  } catch {
    // No storage (private mode): nothing is remembered.
  }
  return false;
}

// `<table data-sums>`: totals that follow the inputs as someone types,
// before anything is saved. Inputs name their row and column
// (`data-row`, `data-column`); totals name what they add up.
function sums(table) {
  table.addEventListener('input', () => {
    const inputs = [...table.querySelectorAll('input[data-row]')];
    const add = (pick) => inputs.filter(pick).reduce((n, input) => n + (parseInt(input.value, 10) || 0), 0);
    for (const cell of table.querySelectorAll('[data-row-total]')) {
      cell.textContent = add((i) => i.dataset.row === cell.dataset.rowTotal);
    }
    for (const cell of table.querySelectorAll('[data-column-total]')) {
      cell.textContent = add((i) => i.dataset.column === cell.dataset.columnTotal);
    }
    for (const cell of table.querySelectorAll('[data-grand-total]')) cell.textContent = add(() => true);
  });
}

// ---------------------------------------------------------------- offline
// A station's device keeps working without a network: the check-in page
// and the scanner work from the roster the device keeps (public/offline.js),
// taps are recorded at once and queued, and the queue is sent when there is
// a network (on the `online` event, on page open, on a timer, and by the
// service worker's Background Sync). A volunteer's report on the day waits
// on the phone the same way.

let offlineLoaded = null;
function offlineStore() {
  if (!offlineLoaded) {
    offlineLoaded = window.ValgvagtOffline
      ? Promise.resolve(window.ValgvagtOffline)
      : new Promise((resolve, reject) => {
          const script = Object.assign(document.createElement('script'), { src: '/offline.js' });
          script.onload = () => resolve(window.ValgvagtOffline);
          script.onerror = reject;
          document.head.append(script);
        });
  }
  return offlineLoaded;
}

let tapSeq = 0;
const fill = (template, values) => template.replace(/\{(\w+)\}/g, (all, k) => (k in values ? values[k] : all));
const clock = (secs) =>
  new Date(secs * 1000).toLocaleTimeString(document.documentElement.lang === 'en' ? 'en-GB' : 'da-DK', {
    hour: '2-digit',
    minute: '2-digit',
  });

// Asks the browser to send the queue when it sees a network, even if no
// page of ours is open by then.
function syncLater() {
  navigator.serviceWorker?.ready
    .then((registration) => registration.sync && registration.sync.register('valgvagt-queue'))
    .catch(() => {});
}

// The banner (offline, changes waiting), when the roster was fetched, and
// what became of taps the server answered with more than a yes.
async function showOfflineStatus(store) {
  const box = document.getElementById('offline-status');
  if (!box) return;
  const waiting = (await store.queued()).length;
  const words = [];
  if (!navigator.onLine) words.push(box.dataset.offline);
  if (waiting === 1) words.push(box.dataset.waitingOne);
  if (waiting > 1) words.push(fill(box.dataset.waiting, { n: waiting }));
  const banner = box.querySelector('[data-part="banner"]');
  banner.textContent = words.join(' ');
  banner.hidden = words.length === 0;
  box.dataset.waitingCount = String(waiting);
  const roster = await store.getRoster(box.dataset.station);
  box.querySelector('[data-part="refreshed"]').textContent = roster
    ? fill(box.dataset.refreshed, { time: clock(roster.fetched_at) })
    : box.dataset.notRefreshed;
  const notices = box.querySelector('[data-part="notices"]');
  for (const text of await store.takeNotices()) {
    notices.append(Object.assign(document.createElement('p'), { className: 'alert alert-info', textContent: text }));
  }
}

const BADGES = { arrived: 'badge badge-accepted', late: 'badge badge-invited', no_show: 'badge badge-open', '': 'badge' };

// Each person on the check-in page as the device knows them: the newer of
// the page and the kept roster, with the taps still waiting on top.
async function showMarks(store, part) {
  const box = document.getElementById('offline-status');
  const station = Number(part.dataset.offlineStation);
  const lines = [...part.querySelectorAll('li[data-seat]')];
  const shown = new Map(lines.map((li) => [Number(li.dataset.seat), li.dataset.attendance || '']));
  const base = store.baseStates(shown, Number(part.dataset.readAt), await store.getRoster(station));
  const states = store.localStates(base, await store.queued(), station);
  const words = { arrived: box.dataset.arrived, late: box.dataset.late, no_show: box.dataset.noShow, '': box.dataset.notYet };
  for (const li of lines) {
    const state = states.get(Number(li.dataset.seat)) || '';
    li.dataset.shown = state;
    const badge = li.querySelector('.badge');
    if (badge) {
      badge.className = BADGES[state] || 'badge';
      badge.textContent = words[state];
    }
    const undo = li.querySelector('form[data-mark=""]');
    if (undo) undo.hidden = state === '';
    // The time the server had belongs to the server's mark only.
    const time = li.querySelector('.attendance-time');
    if (time) time.hidden = state !== (li.dataset.attendance || '');
  }
  const count = part.querySelector('[data-testid="checkin-count"]');
  if (count && part.dataset.count) {
    count.textContent = fill(part.dataset.count, {
      present: store.presentCount(states, [...shown.keys()]),
      total: lines.length,
    });
  }
}

// A tap: recorded on the device at once, then sent (now, or when there
// is a network).
async function recordTap(store, station, line, seen, attendance) {
  const key = store.newKey();
  await store.enqueue(store.markItem({ station, line, seen, attendance, now: Date.now(), seq: tapSeq++, key }));
  syncLater();
}

// Sends what waits, fetches the roster again when there is a network, and
// shows the result.
async function sendWaiting(store, station, redraw, day) {
  try {
    await store.flush();
  } catch {
    // kept for the next round
  }
  if (navigator.onLine && station) {
    try {
      await store.refreshRoster(station, day);
    } catch {
      // the last copy stands
    }
  }
  await redraw();
}

async function stationDevice(store, part) {
  const station = Number(part.dataset.offlineStation);
  const day = part.dataset.offlineDay || '';
  const redraw = async () => {
    await showMarks(store, part);
    await showOfflineStatus(store);
  };
  const send = () => sendWaiting(store, station, redraw, day);
  part.addEventListener('submit', async (event) => {
    const form = event.target;
    const li = form instanceof HTMLFormElement && form.closest('li[data-seat]');
    if (!li || !li.dataset.volunteer || form.dataset.mark === undefined) return;
    event.preventDefault();
    const roster = await store.getRoster(station);
    const seat = Number(li.dataset.seat);
    const line = roster?.lines.find((l) => l.seat_id === seat) || {
      seat_id: seat,
      volunteer_id: Number(li.dataset.volunteer),
      name: li.querySelector('.member-name')?.firstChild?.textContent?.trim() || '',
    };
    await recordTap(store, station, line, li.dataset.shown ?? li.dataset.attendance ?? '', form.dataset.mark);
    await redraw();
    await send();
  });
  // The live stream swapped in a fresh part: taps still waiting go on top.
  part.addEventListener('valgvagt-swapped', () => {
    redraw();
    if (navigator.onLine) store.refreshRoster(station, day).then(redraw, () => {});
  });
  // The scanner, the attendance sheet and this day's page under the
  // address the scanner links back to may be opened without a network
  // later: keep them now.
  // Asked of the active worker once there is one, so a device's very first
  // visit keeps them too (the worker may not control this page yet). The
  // worker answers when they are kept.
  const query = day ? `?day=${day}` : '';
  navigator.serviceWorker?.addEventListener('message', (event) => {
    if (event.data?.type === 'pages-kept') part.dataset.offlineKit = 'kept';
  });
  navigator.serviceWorker?.startMessages();
  navigator.serviceWorker?.ready
    .then((registration) =>
      registration.active?.postMessage({
        type: 'keep-pages',
        urls: [
          `/stations/${station}/scan${query}`,
          `/stations/${station}/checkin${query}`,
          `/stations/${station}/attendance-sheet${query}`,
        ],
      }),
    )
    .catch(() => {});
  await redraw();
  await send();
  window.addEventListener('online', send);
  window.addEventListener('offline', redraw);
  setInterval(async () => {
    if ((await store.queued()).length > 0) await send();
  }, 15_000);
}

// The scanner's page: a code read is matched against the kept roster (so it
// works offline) and confirmed here with one tap.
async function scanDevice(store, result) {
  const station = Number(result.dataset.offlineScan);
  const box = document.getElementById('offline-status');
  let roster = await store.getRoster(station);
  const redraw = () => showOfflineStatus(store);
  window.addEventListener('valgvagt-scanned', (event) => {
    const line = store.lineForCode(roster, event.detail);
    // Online, a code this device does not know opens its own page.
    if (!line && navigator.onLine) return;
    event.preventDefault();
    result.replaceChildren();
    const card = Object.assign(document.createElement('div'), { className: 'card scan-card' });
    if (!line) {
      card.className = 'alert alert-error';
      card.setAttribute('role', 'alert');
      card.append(Object.assign(document.createElement('p'), { textContent: box.dataset.codeUnknown }));
      result.append(card);
      return;
    }
    const who = Object.assign(document.createElement('p'), { className: 'scan-name' });
    who.append(Object.assign(document.createElement('strong'), { textContent: line.name }));
    const what = Object.assign(document.createElement('p'), {
      textContent: `${line.task_type} · ${line.start}–${line.end}`,
    });
    const button = Object.assign(document.createElement('button'), {
      type: 'button',
      className: 'btn btn-primary',
      textContent: box.dataset.checkIn,
    });
    button.addEventListener('click', async () => {
      button.disabled = true;
      const states = store.localStates(
        new Map(roster.lines.map((l) => [l.seat_id, l.attendance || ''])),
        await store.queued(),
        station,
      );
      await recordTap(store, station, line, states.get(line.seat_id) || '', 'arrived');
      const done = Object.assign(document.createElement('p'), {
        className: 'alert alert-success',
        textContent: fill(box.dataset.scanned, { name: line.name }),
      });
      done.setAttribute('role', 'status');
      result.replaceChildren(done);
      await redraw();
      await sendWaiting(store, station, redraw);
      roster = (await store.getRoster(station)) || roster;
    });
    card.append(who, what, button);
    result.append(card);
    button.focus();
  });
  await redraw();
  await sendWaiting(store, station, redraw);
  roster = (await store.getRoster(station)) || roster;
  window.addEventListener('online', () => sendWaiting(store, station, redraw));
  window.addEventListener('offline', redraw);
}

// `<form data-queue="TEXT">` (a volunteer's report on the day): without a
// network it is kept on the phone and sent when there is one; TEXT says so.
async function queueForm(store, form) {
  const fields = Object.fromEntries(new FormData(form));
  fields.key = store.newKey();
  await store.enqueue({
    key: fields.key,
    kind: 'report',
    url: form.action,
    made: Date.now(),
    seq: tapSeq++,
    label: form.closest('.roster-line')?.querySelector('.member-name')?.textContent?.trim() || '',
    fields,
  });
  syncLater();
  say(form, form.dataset.queue);
  form.querySelector('.alert')?.classList.replace('alert-error', 'alert-info');
  form.querySelector('.alert')?.setAttribute('role', 'status');
  form.querySelector('button[type="submit"]')?.setAttribute('disabled', '');
}

async function offlineParts() {
  const stations = [...document.querySelectorAll('[data-offline-station]')];
  const scans = [...document.querySelectorAll('[data-offline-scan]')];
  const queues = [...document.querySelectorAll('form[data-queue]')];
  if (!stations.length && !scans.length && !queues.length) return;
  const store = await offlineStore();
  await store.dropExpired(Date.now() / 1000);
  for (const form of queues) {
    form.addEventListener('submit', (event) => {
      if (navigator.onLine) return; // as usual (postInPlace), queued if that fails
      event.preventDefault();
      queueForm(store, form);
    });
  }
  if (queues.length) {
    const send = () => store.flush().catch(() => {});
    send();
    window.addEventListener('online', send);
  }
  for (const part of stations) await stationDevice(store, part);
  for (const result of scans) await scanDevice(store, result);
}

// The islands (app/src/browser.rs): only a page that has any loads the
// wasm, and then wakes each island. Most pages have none.
async function wakeIslands() {
  const islands = [...document.querySelectorAll('leptos-island')].filter(
    (island) => !island.parentElement.closest('leptos-island'),
  );
  if (!islands.length) return;
  const { islandsJs, islandsWasm } = document.body.dataset;
  const wasm = await import(islandsJs);
  await wasm.default({ module_or_path: islandsWasm });
  wasm.hydrate();
  for (const island of islands) {
    const wake = wasm[island.dataset.component];
    if (wake) {
      await wake(island);
    } else {
      console.warn('no island', island.dataset.component);
    }
  }
}

async function enhance() {
  for (const form of document.querySelectorAll('form[data-remember]')) {
    if (remember(form)) return; // the remembered choice is loading
  }
  for (const form of document.querySelectorAll('form[data-steps]')) steps(form);
  for (const form of document.querySelectorAll('form[data-live-search]')) liveSearch(form);
  for (const part of document.querySelectorAll('[data-live-events]')) follow(part);
  for (const table of document.querySelectorAll('table[data-sums]')) sums(table);
  if (window.PublicKeyCredential) {
    for (const box of document.querySelectorAll('[data-passkey-sign-in]')) {
      const button = box.querySelector('button');
      if (!button) continue;
      button.disabled = false;
      button.addEventListener('click', () => passkeySignIn(box, button));
    }
  }
  for (const [selector, run] of [
    ['form[data-passkey-create]', passkeyCreate],
    ['form[data-push-turn-on]', pushTurnOn],
  ]) {
    for (const form of document.querySelectorAll(selector)) {
      const button = form.querySelector('button[type="submit"]');
      if (!button || (run === passkeyCreate && !window.PublicKeyCredential)) continue;
      // Usable once the form's fields are filled in (a device needs a name).
      const ready = () => {
        button.disabled = !form.checkValidity();
      };
      ready();
      form.addEventListener('input', ready);
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        run(form, button);
      });
    }
  }
  postInPlace();
  try {
    await offlineParts();
  } catch (error) {
    console.error('offline parts not ready', error);
  }
  try {
    await wakeIslands();
  } catch (error) {
    console.error('islands not woken', error);
  }
  // Tests (and curious people) can tell the page is live.
  document.body.setAttribute('data-ready', 'true');
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', enhance);
} else {
  enhance();
}
