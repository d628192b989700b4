// Valgvagt's service worker. The server writes the build's fingerprint into
// BUILD, so every deploy changes this file: the browser installs the new
// worker, which drops the old build's caches.
const BUILD = '__BUILD__';
const ASSETS = `valgvagt-assets-${BUILD}`;
const PAGES = 'valgvagt-pages';
const STATE = 'valgvagt-state';
const OFFLINE = '/offline.html';
const PRECACHE = [OFFLINE, '/icons/icon-192.png', '/favicon.svg', '/manifest.webmanifest'];
// The scripts every page runs: from the network while there is one, else
// the last copy (they are small and change without a new build name).
const SCRIPTS = ['/page.js', '/offline.js'];

// The device's kept rosters and waiting taps (public/offline.js).
if (typeof importScripts === 'function') importScripts('/offline.js');

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
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === 'POST' && url.pathname === '/api/auth/sign_out') {
    event.respondWith(signOut(request));
    return;
  }
  if (request.method !== 'GET') return;
  if (SCRIPTS.includes(url.pathname)) {
    event.respondWith(script(request));
    return;
  }
  // Server functions answer with live data: never from a cache.
  if (url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') {
    event.respondWith(page(request));
  } else if (url.pathname.startsWith('/pkg/') || url.pathname.startsWith('/icons/')) {
    event.respondWith(asset(request));
  }
});

/** Network first; a copy of each page is kept for when there is no network,
 * for the one person whose session it was and only while that session lasts
 * (pages carry names, phones and addresses). */
async function page(request) {
  await signOutIfPending();
  let response;
  try {
    response = await fetch(request);
  } catch (offline) {
    return offlinePage(request);
  }
  const build = response.headers.get('x-valgvagt-build');
  if (build) {
    await remember('live-build', build);
    if (build !== BUILD) self.registration.update();
  }
  const isPage = (response.headers.get('content-type') || '').includes('text/html');
  const signedIn = response.headers.get('x-valgvagt-signed-in');
  if (signedIn === '0') {
    // Signed out, or the session ended: forget pages of personal data.
    await forgetPages();
  } else if (signedIn === '1' && response.ok && isPage) {
    const user = response.headers.get('x-valgvagt-user');
    if (user !== (await recall('page-user'))) {
      // Someone else signed in on this device: nothing of the last person's.
      await forgetPages();
      await remember('page-user', user);
    }
    await remember('session-until', response.headers.get('x-valgvagt-session-until') || '0');
    await (await caches.open(PAGES)).put(request, response.clone());
  }
  return response;
}

/** Without a network: the kept page while its session can still be live,
 * otherwise nothing of it. */
async function offlinePage(request) {
  const until = Number((await recall('session-until')) || 0);
  if (Date.now() / 1000 >= until) {
    await forgetPages();
  } else {
    const cached = await (await caches.open(PAGES)).match(request);
    if (cached) return cached;
  }
  return (await caches.match(OFFLINE)) || new Response('Offline', { status: 503 });
}

/** Forgets every page and everything else kept for the person: kept
 * rosters, waiting taps, notices. */
async function forgetPages() {
  await caches.delete(PAGES);
  await forget('page-user');
  await forget('session-until');
  if (self.ValgvagtOffline) await self.ValgvagtOffline.forgetAll().catch(() => {});
}

/** Signing out forgets the person's data at once; without a network the
 * server is told when there is one again (the session would otherwise
 * live on there). */
async function signOut(request) {
  await forgetPages();
  try {
    return await fetch(request);
  } catch (offline) {
    await remember('sign-out-pending', '1');
    return Response.redirect('/offline.html', 303);
  }
}

async function signOutIfPending() {
  if (!(await recall('sign-out-pending'))) return;
  try {
    const response = await fetch('/api/auth/sign_out', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
    if (response.ok || response.status === 401) await forget('sign-out-pending');
  } catch (offline) {
    // still offline: next time
  }
}

/** Network first for the page scripts, the last copy without a network. */
async function script(request) {
  const cache = await caches.open(ASSETS);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (offline) {
    return (await cache.match(request, { ignoreSearch: true })) || Response.error();
  }
}

/** Keeps pages (with the assets they name) a device will need offline
 * before the person has opened them: the scanner and the attendance sheet
 * of the station whose check-in page is open. Kept by the same rules as
 * pages opened. Its requests say so in a header of their own, so what a
 * device keeps for later can be told from what a page needs now. */
const KEEP = { 'x-valgvagt-offline': 'keep' };

async function keepPages(urls) {
  for (const url of urls) {
    const target = new URL(url, self.location.origin);
    if (target.origin !== self.location.origin) continue;
    const response = await page(new Request(target.href, { credentials: 'same-origin', headers: KEEP }));
    if (!response.ok || !(response.headers.get('content-type') || '').includes('text/html')) continue;
    const html = await response.text();
    const assets = [...new Set(html.match(/\/pkg\/[A-Za-z0-9_.\-]+/g) || [])];
    for (let i = 0; i < assets.length; i++) {
      const kept = await asset(new Request(new URL(assets[i], self.location.origin).href, { headers: KEEP })).catch(
        () => null,
      );
      if (!kept || !kept.ok || !assets[i].endsWith('.js')) continue;
      // A module's own imports (wasm-bindgen's snippets) load only when it
      // runs, which may be offline: keep them as well.
      const code = await kept.text();
      for (const [, relative] of code.matchAll(/from\s*["'](\.\/[^"']+\.js)["']/g)) {
        const path = new URL(relative, new URL(assets[i], self.location.origin)).pathname;
        if (!assets.includes(path)) assets.push(path);
      }
    }
  }
}

self.addEventListener('message', (event) => {
  // A page asks for this when its person signs out.
  if (event.data === 'forget-pages') event.waitUntil(forgetPages());
  if (event.data && event.data.type === 'keep-pages') {
    event.waitUntil(
      keepPages(event.data.urls || []).then(() => event.source && event.source.postMessage({ type: 'pages-kept' })),
    );
  }
});

// Background Sync: the waiting taps go when the browser sees a network,
// even with no page open. A failed round is tried again by the browser.
self.addEventListener('sync', (event) => {
  if (event.tag !== 'valgvagt-queue' || !self.ValgvagtOffline) return;
  event.waitUntil(
    self.ValgvagtOffline.flush().then((left) => {
      if (left > 0) throw new Error(`${left} waiting`);
    }),
  );
});

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

async function forget(key) {
  await (await caches.open(STATE)).delete(`/__${key}`);
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
