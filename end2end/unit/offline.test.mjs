// The device's offline store (public/offline.js) in Node: the rules that
// decide what the check-in page shows, and the queue against a real
// IndexedDB implementation (fake-indexeddb) and a loopback-free fake
// server that answers like the real one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { beforeEach, test } from 'node:test';
import vm from 'node:vm';
import { IDBFactory } from 'fake-indexeddb';

const source = readFileSync(new URL('../../public/offline.js', import.meta.url), 'utf8');

/** offline.js loaded afresh, with its own empty database and `serve` as
 * the server (request → { status, body } or a thrown network error). */
function load(serve) {
  const sent = [];
  const self = {
    indexedDB: new IDBFactory(),
    crypto: globalThis.crypto,
    navigator: {},
  };
  const fetch = async (url, init) => {
    const fields = Object.fromEntries(new URLSearchParams(init.body));
    sent.push({ url, fields });
    const { status, body } = await serve(url, fields);
    return {
      status,
      ok: status >= 200 && status < 300,
      json: async () => body,
    };
  };
  const context = vm.createContext({ self, fetch, URLSearchParams, console, structuredClone, setTimeout });
  vm.runInContext(source, context);
  return { store: self.ValgvagtOffline, sent };
}

const roster = (lines) => ({
  station_id: 3,
  station: 'Byskolen',
  user_id: 9,
  fetched_at: 1000,
  keep_until: 5000,
  lines,
});
const line = (seat, attendance = null) => ({
  seat_id: seat,
  volunteer_id: seat * 10,
  name: `Person ${seat}`,
  day: '2027-05-04',
  start: '07:00',
  end: '21:00',
  task_type: 'Tilforordnet',
  team: 'A',
  attendance,
  code: `${seat}-abc`,
});

let seq = 0;
// Values made inside the vm have its prototypes: compared as plain data.
const plain = (value) => JSON.parse(JSON.stringify(value));
const tap = (store, seat, attendance, now, seen = '') =>
  store.markItem({ station: 3, line: line(seat), seen, attendance, now, seq: seq++, key: store.newKey() });

beforeEach(() => {
  seq = 0;
});

test('the page shows the newer of page and roster, with the waiting taps on top in order', () => {
  const { store } = load(async () => ({ status: 200, body: null }));
  const page = new Map([
    [1, ''],
    [2, 'arrived'],
  ]);
  // The page was rendered after the roster was fetched: the page counts.
  const older = roster([line(1, 'no_show'), line(2)]);
  assert.deepEqual(plain([...store.baseStates(page, 2000, older)]), [
    [1, ''],
    [2, 'arrived'],
  ]);
  // A page from the cache, older than the roster: the roster counts.
  const base = store.baseStates(page, 500, older);
  assert.deepEqual(plain([...base]), [
    [1, 'no_show'],
    [2, ''],
  ]);
  const taps = [tap(store, 1, 'arrived', 10), tap(store, 1, '', 20), tap(store, 2, 'late', 15)];
  // Given in any order, applied oldest first: the undo comes last for seat 1.
  const states = store.localStates(base, [taps[1], taps[2], taps[0]], 3);
  assert.deepEqual(plain([...states]), [
    [1, ''],
    [2, 'late'],
  ]);
  assert.equal(store.presentCount(states, [1, 2]), 1);
  // Another station's taps do not count here.
  assert.deepEqual(plain([...store.localStates(base, taps, 4)]), plain([...base]));
});

test('answers: yes takes an item off, no takes it off and tells, no answer keeps it', () => {
  const { store } = load(async () => ({ status: 200, body: null }));
  assert.equal(store.verdict(200), 'done');
  for (const status of [400, 403, 404, 422]) assert.equal(store.verdict(status), 'refused');
  // Signed out meanwhile, overloaded, or broken: try again later.
  for (const status of [401, 429, 500, 503]) assert.equal(store.verdict(status), 'retry');
});

test('a tap carries what the device showed, the device time and a key of its own', () => {
  const { store } = load(async () => ({ status: 200, body: null }));
  const a = tap(store, 1, 'arrived', 1_700_000_000_123, 'no_show');
  const b = tap(store, 1, 'arrived', 1_700_000_000_123);
  assert.equal(a.url, '/api/checkin/record');
  assert.deepEqual(
    plain({ ...a.fields, key: 'k' }),
    { key: 'k', seat_id: '1', volunteer_id: '10', seen: 'no_show', attendance: 'arrived', at: '1700000000' },
  );
  assert.notEqual(a.key, b.key);
  assert.equal(a.fields.key, a.key);
});

test('a scanned code is matched on the kept roster; a roster past its day is dropped', async () => {
  const { store } = load(async () => ({ status: 200, body: null }));
  const kept = roster([line(1), line(2)]);
  assert.equal(store.lineForCode(kept, '2-abc').seat_id, 2);
  assert.equal(store.lineForCode(kept, '2-abd'), null);
  assert.equal(store.lineForCode(null, '2-abc'), null);
  await store.putRoster(kept);
  await store.dropExpired(4999);
  assert.ok(await store.getRoster(3));
  await store.dropExpired(5000);
  assert.equal(await store.getRoster(3), undefined);
});

test('the queue is sent oldest first; without a network it stops and keeps the order', async () => {
  let online = false;
  const { store, sent } = load(async (url, fields) => {
    if (!online) throw new TypeError('Failed to fetch');
    return { status: 200, body: { outcome: 'applied', attendance: fields.attendance || null, attendance_at: 1, message: null } };
  });
  await store.putRoster(roster([line(1), line(2)]));
  const first = tap(store, 2, 'arrived', 100);
  const second = tap(store, 1, 'no_show', 200);
  await store.enqueue(second);
  await store.enqueue(first);
  assert.equal(await store.flush(), 2, 'nothing sent, both wait');
  assert.equal((await store.queued()).length, 2);
  online = true;
  assert.equal(await store.flush(), 0);
  assert.deepEqual(
    plain(sent.slice(-2).map((s) => s.fields.seat_id)),
    ['2', '1'],
  );
  assert.equal((await store.queued()).length, 0);
  // The kept roster follows the server's answers.
  const kept = await store.getRoster(3);
  assert.deepEqual(
    plain(kept.lines.map((l) => l.attendance)),
    ['no_show', 'arrived'],
  );
});

test('an answer lost on the way: the same tap goes again with the same key', async () => {
  let calls = 0;
  const { store, sent } = load(async () => {
    calls += 1;
    if (calls === 1) return { status: 503, body: null };
    return { status: 200, body: { outcome: 'merged', attendance: 'arrived', attendance_at: 1, message: 'Allerede tjekket ind' } };
  });
  await store.putRoster(roster([line(1)]));
  await store.enqueue(tap(store, 1, 'arrived', 100));
  assert.equal(await store.flush(), 1);
  assert.equal(await store.flush(), 0);
  assert.equal(sent.length, 2);
  assert.equal(sent[0].fields.key, sent[1].fields.key);
  // What the server said beyond yes is shown once.
  assert.deepEqual(plain(await store.takeNotices()), ['Person 1: Allerede tjekket ind']);
  assert.deepEqual(plain(await store.takeNotices()), []);
});

test('a refusal takes the tap off the queue, tells why, and the rest still go', async () => {
  const { store, sent } = load(async (url, fields) =>
    fields.seat_id === '1'
      ? { status: 422, body: { Refused: { key: 'checkin.outcome.refused', text: 'Fortrydelsen er afvist' } } }
      : { status: 200, body: { outcome: 'applied', attendance: 'arrived', attendance_at: 1, message: null } },
  );
  await store.enqueue(tap(store, 1, '', 100, 'arrived'));
  await store.enqueue(tap(store, 2, 'arrived', 200));
  assert.equal(await store.flush(), 0);
  assert.equal(sent.length, 2);
  assert.deepEqual(plain(await store.takeNotices()), ['Person 1: Fortrydelsen er afvist']);
});

test('forgetting leaves nothing of the person on the device', async () => {
  const { store } = load(async () => ({ status: 200, body: null }));
  await store.putRoster(roster([line(1)]));
  await store.enqueue(tap(store, 1, 'arrived', 100));
  await store.forgetAll();
  assert.equal(await store.getRoster(3), undefined);
  assert.deepEqual(plain(await store.queued()), []);
  assert.deepEqual(plain(await store.takeNotices()), []);
});
