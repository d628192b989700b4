// The service worker's event handlers, run in Node against fake browser
// objects: what DevTools cannot do headless (a tap on a notification).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import vm from 'node:vm';

const source = readFileSync(new URL('../../server/src/pwa/sw.js', import.meta.url), 'utf8');

function load({ windows = [], answerStatus = 200, cacheNames = [], pageHeaders = {}, routes = {} } = {}) {
  const listeners = {};
  const calls = { shown: [], focused: [], navigated: [], opened: [], posted: [], updated: 0 };
  const client = (url) => ({
    url,
    focus: async function () { calls.focused.push(url); return this; },
    navigate: async (to) => { calls.navigated.push([url, to]); },
  });
  const self = {
    location: { origin: 'https://valg.example.dk' },
    addEventListener: (type, fn) => { listeners[type] = fn; },
    registration: {
      showNotification: async (title, options) => { calls.shown.push({ title, options }); },
      update: () => { calls.updated += 1; },
    },
    clients: {
      matchAll: async () => windows.map(client),
      openWindow: async (url) => { calls.opened.push(url); },
      claim: async () => {},
    },
    skipWaiting: async () => {},
  };
  // Named caches, as the Cache Storage API keeps them.
  const stores = new Map(cacheNames.map((name) => [name, new Map()]));
  const key = (r) => (typeof r === 'string' ? r : r.url);
  const open = async (name) => {
    if (!stores.has(name)) stores.set(name, new Map());
    const store = stores.get(name);
    return {
      match: async (r) => store.get(key(r)),
      put: async (r, response) => { store.set(key(r), response); },
      delete: async (r) => store.delete(key(r)),
      addAll: async () => {},
    };
  };
  const caches = {
    open,
    match: async (r) => {
      for (const store of stores.values()) if (store.has(key(r))) return store.get(key(r));
      return undefined;
    },
    delete: async (name) => stores.delete(name),
    keys: async () => [...stores.keys()],
  };
  const fetch = async (url, init) => {
    if (init && init.method === 'POST') {
      calls.posted.push({ url, body: init.body, credentials: init.credentials });
      return new Response('null', { status: answerStatus });
    }
    const route = routes[new URL(typeof url === 'string' ? url : url.url, self.location.origin).pathname];
    if (route) return new Response(route.body, { headers: { 'content-type': route.type, ...route.headers } });
    return new Response('ok', { headers: { 'content-type': 'text/html', ...pageHeaders } });
  };
  vm.runInNewContext(source.replace('__BUILD__', 'test'), { self, URL, URLSearchParams, Request, Response, console, caches, fetch });
  const fire = async (type, event) => {
    let waited;
    listeners[type]({ ...event, waitUntil: (p) => { waited = p; }, respondWith: (p) => { waited = p; } });
    await waited;
  };
  return { listeners, calls, fire, caches, open, stores };
}

const push = (data) => ({ data: { json: () => data, text: () => JSON.stringify(data) } });

test('a push shows a notification with its tag, language and page', async () => {
  const sw = load();
  await sw.fire('push', push({ title: 'Påmindelse', body: 'I morgen kl. 7', tag: 'seat-3', url: '/my-shifts/3', lang: 'da', seat_id: 3 }));
  assert.equal(sw.calls.shown.length, 1);
  const { title, options } = sw.calls.shown[0];
  assert.equal(title, 'Påmindelse');
  assert.equal(options.body, 'I morgen kl. 7');
  assert.equal(options.tag, 'seat-3');
  assert.equal(options.renotify, true);
  assert.equal(options.data.url, '/my-shifts/3');
  assert.equal(options.data.seatId, 3);
});

test('a push that is not JSON still shows its text', async () => {
  const sw = load();
  await sw.fire('push', { data: { json: () => { throw new Error('no'); }, text: () => 'Hej' } });
  assert.equal(sw.calls.shown[0].title, 'Valgvagt');
  assert.equal(sw.calls.shown[0].options.body, 'Hej');
});

const click = (url, action = '', seatId = null) => ({ action, notification: { close() {}, data: { url, seatId } } });

test('"Accept" on an invitation answers it without opening the app', async () => {
  const sw = load();
  await sw.fire('notificationclick', click('/volunteers/7', 'accept', 12));
  assert.deepEqual(sw.calls.posted, [{ url: '/api/shifts/answer', body: 'seat_id=12&answer=accept', credentials: 'same-origin' }]);
  assert.deepEqual(sw.calls.opened, []);
});

test('"Accept" with an answer link answers with its token, signed in or not', async () => {
  const sw = load();
  await sw.fire('push', push({ title: 'Invitation', url: '/answer/ab12', seat_id: 12, answer: 'ab12' }));
  const { options } = sw.calls.shown[0];
  assert.equal(options.data.answer, 'ab12');
  await sw.fire('notificationclick', { action: 'accept', notification: { close() {}, data: options.data } });
  assert.deepEqual(sw.calls.posted, [{ url: '/api/answers/respond', body: 'token=ab12&answer=accept', credentials: 'same-origin' }]);
  assert.deepEqual(sw.calls.opened, []);
});

test('an answer the server refuses opens the page instead', async () => {
  const sw = load({ answerStatus: 409 });
  await sw.fire('notificationclick', click('/volunteers/7', 'decline', 12));
  assert.equal(sw.calls.posted[0].body, 'seat_id=12&answer=decline');
  assert.deepEqual(sw.calls.opened, ['https://valg.example.dk/volunteers/7']);
});

test('a tap focuses a window already on the page', async () => {
  const sw = load({ windows: ['https://valg.example.dk/', 'https://valg.example.dk/my-shifts/3'] });
  await sw.fire('notificationclick', click('/my-shifts/3'));
  assert.deepEqual(sw.calls.focused, ['https://valg.example.dk/my-shifts/3']);
  assert.deepEqual(sw.calls.opened, []);
});

test('a tap takes an open window to the page', async () => {
  const sw = load({ windows: ['https://valg.example.dk/account'] });
  await sw.fire('notificationclick', click('/my-shifts/3'));
  assert.deepEqual(sw.calls.navigated, [['https://valg.example.dk/account', 'https://valg.example.dk/my-shifts/3']]);
});

test('a tap with no window open opens the page', async () => {
  const sw = load();
  await sw.fire('notificationclick', click('/my-shifts/3'));
  assert.deepEqual(sw.calls.opened, ['https://valg.example.dk/my-shifts/3']);
});

test('server functions and other sites are never answered from a cache', async () => {
  const sw = load();
  const answers = [];
  const fetchEvent = (url, mode = 'cors', method = 'GET') => ({
    request: { method, url, mode },
    respondWith: (p) => { answers.push(p); },
  });
  sw.listeners.fetch(fetchEvent('https://valg.example.dk/api/home/overview'));
  sw.listeners.fetch(fetchEvent('https://elsewhere.example/pkg/x.wasm'));
  sw.listeners.fetch(fetchEvent('https://valg.example.dk/stations', 'navigate', 'POST'));
  assert.equal(answers.length, 0);
  sw.listeners.fetch(fetchEvent('https://valg.example.dk/stations', 'navigate'));
  sw.listeners.fetch(fetchEvent('https://valg.example.dk/pkg/valgvagt.wasm'));
  assert.equal(answers.length, 2);
  for (const answer of await Promise.all(answers)) assert.equal(await answer.text(), 'ok');
});

const navigate = (url) => ({ request: { method: 'GET', url, mode: 'navigate' } });
const get = (url) => ({ request: { method: 'GET', url, mode: 'cors' } });

test('a new worker drops the old build\u2019s assets and every kept page, and keeps its own', async () => {
  const sw = load({ cacheNames: ['valgvagt-assets-old', 'valgvagt-assets-test', 'valgvagt-pages', 'valgvagt-state'] });
  await sw.fire('activate', {});
  assert.deepEqual((await sw.caches.keys()).sort(), ['valgvagt-assets-test', 'valgvagt-state']);
});

test('once the server runs a newer build, assets come from the network and the worker updates', async () => {
  const sw = load({ pageHeaders: { 'x-valgvagt-build': 'newer' } });
  await (await sw.open('valgvagt-assets-test')).put('https://valg.example.dk/pkg/valgvagt.wasm', new Response('cached'));
  // Before the worker has heard of another build: its own cached copy.
  let answer;
  sw.listeners.fetch({ ...get('https://valg.example.dk/pkg/valgvagt.wasm'), respondWith: (p) => { answer = p; } });
  assert.equal(await (await answer).text(), 'cached');
  // A page says the server runs another build.
  let page;
  sw.listeners.fetch({ ...navigate('https://valg.example.dk/stations'), respondWith: (p) => { page = p; } });
  await page;
  assert.equal(sw.calls.updated, 1);
  sw.listeners.fetch({ ...get('https://valg.example.dk/pkg/valgvagt.wasm'), respondWith: (p) => { answer = p; } });
  assert.equal(await (await answer).text(), 'ok', 'from the network, not the old build\u2019s cache');
});

test('a page kept for offline use brings its wasm and the scripts its module imports', async () => {
  const sw = load({
    routes: {
      '/stations/3/scan': {
        type: 'text/html',
        headers: { 'x-valgvagt-signed-in': '1', 'x-valgvagt-user': '7' },
        body: '<body data-islands-js="/pkg/app.1.js" data-islands-wasm="/pkg/app.2.wasm">',
      },
      '/pkg/app.1.js': {
        type: 'text/javascript',
        body: 'import{a}from"./snippets/app-9/inline0.js";import*as i from "./snippets/app-9/inline1.js";',
      },
      '/pkg/app.2.wasm': { type: 'application/wasm', body: 'wasm' },
      '/pkg/snippets/app-9/inline0.js': { type: 'text/javascript', body: 'export const a = 1;' },
      '/pkg/snippets/app-9/inline1.js': { type: 'text/javascript', body: 'export const b = 2;' },
    },
  });
  await sw.fire('message', { data: { type: 'keep-pages', urls: ['/stations/3/scan'] } });
  const kept = [...sw.stores.get('valgvagt-assets-test').keys()].map((url) => new URL(url, 'https://valg.example.dk').pathname);
  assert.deepEqual(kept.sort(), [
    '/pkg/app.1.js',
    '/pkg/app.2.wasm',
    '/pkg/snippets/app-9/inline0.js',
    '/pkg/snippets/app-9/inline1.js',
  ]);
  const pages = [...sw.stores.get('valgvagt-pages').keys()];
  assert.ok(pages.some((url) => url.endsWith('/stations/3/scan')), pages.join());
});
