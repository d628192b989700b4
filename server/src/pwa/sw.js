// Valgvagt's service worker. The server writes the build's fingerprint into
// BUILD, so every deploy changes this file: the browser installs the new
// worker, which drops the old build's caches.
const BUILD = '__BUILD__';
const ASSETS = `valgvagt-assets-${BUILD}`;
const PAGES = 'valgvagt-pages';
const STATE = 'valgvagt-state';
const OFFLINE = '/offline.html';
const PRECACHE = [OFFLINE, '/icons/icon-192.png', '/favicon.svg', '/manifest.webmanifest'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(ASSETS)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('valgvagt-assets-') && name !== ASSETS) await caches.delete(name);
      }
      // Pages of another build would hydrate against the wrong wasm.
      await caches.delete(PAGES);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Server functions answer with live data: never from a cache.
  if (url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith('/pkg/') || url.pathname.startsWith('/icons/')) {
    event.respondWith(asset(request));
  }
});

/** Network first; a copy of each page is kept for when there is no network. */
async function page(request) {
  let response;
  try {
    response = await fetch(request);
  } catch (offline) {
    const cached = await (await caches.open(PAGES)).match(request);
    return cached || (await caches.match(OFFLINE)) || new Response('Offline', { status: 503 });
  }
  const build = response.headers.get('x-valgvagt-build');
  if (build) {
    await remember('live-build', build);
    if (build !== BUILD) self.registration.update();
  }
  if (response.headers.get('x-valgvagt-signed-in') === '0') {
    // Signed out: forget pages that may show someone's personal data.
    await caches.delete(PAGES);
  } else if (response.ok && (response.headers.get('content-type') || '').includes('text/html')) {
    await (await caches.open(PAGES)).put(request, response.clone());
  }
  return response;
}

/** Cache first for the build's own assets. When the server already runs a
 * newer build than this worker's, assets come from the network, so new
 * HTML never meets old wasm. */
async function asset(request) {
  const live = await recall('live-build');
  if (live && live !== BUILD) return fetch(request);
  const cache = await caches.open(ASSETS);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

async function remember(key, value) {
  await (await caches.open(STATE)).put(`/__${key}`, new Response(value));
}

async function recall(key) {
  const hit = await (await caches.open(STATE)).match(`/__${key}`);
  return hit ? hit.text() : null;
}

// ------------------------------------------------------------------ push

/** What a push message's JSON turns into on the screen. */
function notificationFrom(data) {
  return {
    title: data.title || 'Valgvagt',
    options: {
      body: data.body || '',
      // Reminders for the same seat replace each other.
      tag: data.tag || undefined,
      renotify: Boolean(data.tag),
      lang: data.lang || 'da',
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      data: { url: data.url || '/', seatId: data.seat_id ?? null, answer: data.answer || null },
      actions: Array.isArray(data.actions) ? data.actions.slice(0, 2) : [],
    },
  };
}

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (notJson) {
    data = { body: event.data ? event.data.text() : '' };
  }
  const { title, options } = notificationFrom(data);
  event.waitUntil(self.registration.showNotification(title, options));
});

/** Focuses a window already showing `url`, else reuses one, else opens one. */
async function openPage(url) {
  const target = new URL(url, self.location.origin).href;
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const same = windows.find((w) => w.url === target);
  if (same) return same.focus();
  if (windows.length > 0 && 'navigate' in windows[0]) {
    const w = await windows[0].focus();
    return w.navigate(target);
  }
  return self.clients.openWindow(target);
}

/** Answers an offer without opening the app: with the message's answer
 * link where it has one (no session needed), else as the signed-in person.
 * If that fails (deadline passed, seat gone, offline), the page opens. */
async function answer(action, data, url) {
  const [endpoint, fields] = data.answer
    ? ['/api/answers/respond', { token: data.answer, answer: action }]
    : ['/api/shifts/answer', { seat_id: String(data.seatId), answer: action }];
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(fields).toString(),
    });
    if (response.ok) return undefined;
  } catch (offline) {
    // fall through to opening the page
  }
  return openPage(url);
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  const url = data.url || '/';
  if ((event.action === 'accept' || event.action === 'decline') && (data.answer || data.seatId)) {
    event.waitUntil(answer(event.action, data, url));
  } else {
    event.waitUntil(openPage(url));
  }
});

if (typeof module !== 'undefined') {
  module.exports = { notificationFrom };
}
