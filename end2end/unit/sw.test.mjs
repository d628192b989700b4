// The service worker's event handlers, run in Node against fake browser
// objects: what DevTools cannot do headless (a tap on a notification).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import vm from 'node:vm';

const source = readFileSync(new URL('../../server/src/pwa/sw.js', import.meta.url), 'utf8');

function load({ windows = [], answerStatus = 200 } = {}) {
  const listeners = {};
  const calls = { shown: [], focused: [], navigated: [], opened: [], posted: [] };
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
      update: () => {},
    },
    clients: {
      matchAll: async () => windows.map(client),
      openWindow: async (url) => { calls.opened.push(url); },
      claim: async () => {},
    },
    skipWaiting: async () => {},
  };
  const store = new Map();
  const cache = {
    match: async (r) => store.get(typeof r === 'string' ? r : r.url),
    put: async (r, response) => { store.set(typeof r === 'string' ? r : r.url, response); },
  };
  const caches = {
    open: async () => cache,
    match: async (r) => cache.match(r),
    delete: async () => true,
    keys: async () => [],
  };
  const fetch = async (url, init) => {
    if (init && init.method === 'POST') {
      calls.posted.push({ url, body: init.body, credentials: init.credentials });
      return new Response('null', { status: answerStatus });
    }
    return new Response('ok', { headers: { 'content-type': 'text/html' } });
  };
  vm.runInNewContext(source.replace('__BUILD__', 'test'), { self, URL, URLSearchParams, Response, console, caches, fetch });
  const fire = async (type, event) => {
    let waited;
    listeners[type]({ ...event, waitUntil: (p) => { waited = p; }, respondWith: (p) => { waited = p; } });
    await waited;
  };
  return { listeners, calls, fire };
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
