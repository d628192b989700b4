// What a device keeps to work without a network: a station's roster (for
// check-in and scanning) and the taps and messages waiting to be sent. Used
// by page.js in the page and by the service worker (importScripts), which
// sends the queue on Background Sync. The rules at the top are plain
// functions, tested in node (end2end/unit/offline.test.mjs).
'use strict';
(function (root) {
  // ------------------------------------------------------------ the rules

  const PRESENT = new Set(['arrived', 'late']);

  /** The queue in the order it is sent: oldest tap first. */
  function inOrder(items) {
    return [...items].sort((a, b) => a.made - b.made || a.seq - b.seq);
  }

  /** What each seat shows on the device: `base` (seat id → attendance, ''
   * for none) with the station's waiting marks on top, in order. */
  function localStates(base, items, station) {
    const states = new Map(base);
    for (const item of inOrder(items)) {
      if (item.kind !== 'mark' || item.station !== station) continue;
      states.set(Number(item.fields.seat_id), item.fields.attendance || '');
    }
    return states;
  }

  /** The base the device starts from: the page as the server rendered it,
   * or the kept roster when that was fetched later than the page. */
  function baseStates(pageStates, pageReadAt, roster) {
    if (!roster || roster.fetched_at < pageReadAt) return new Map(pageStates);
    const states = new Map(pageStates);
    for (const line of roster.lines) states.set(line.seat_id, line.attendance || '');
    return states;
  }

  /** How many people the states count as present, of `seats`. */
  function presentCount(states, seats) {
    return seats.filter((seat) => PRESENT.has(states.get(seat) || '')).length;
  }

  /** What to do with an item after the server answered `status`: 'done'
   * (taken), 'refused' (answered no: off the queue, the person is told),
   * or 'retry' (no answer worth the name: kept, in order, for later). */
  function verdict(status) {
    if (status >= 200 && status < 300) return 'done';
    if (status === 401 || status === 408 || status === 429 || status >= 500) return 'retry';
    return 'refused';
  }

  /** Whether a kept roster is past its last day (or none is kept). */
  function expired(roster, nowSecs) {
    return !roster || nowSecs >= roster.keep_until;
  }

  /** The line of a kept roster that a scanned code is for. */
  function lineForCode(roster, code) {
    return (roster && roster.lines.find((line) => line.code === code)) || null;
  }

  /** A mark for the queue: what the device showed (`seen`) and the tap. */
  function markItem({ station, line, seen, attendance, now, seq, key }) {
    return {
      key,
      kind: 'mark',
      station,
      url: '/api/checkin/record',
      made: now,
      seq,
      label: line.name,
      fields: {
        key,
        seat_id: String(line.seat_id),
        volunteer_id: String(line.volunteer_id),
        seen: seen || '',
        attendance: attendance || '',
        at: String(Math.floor(now / 1000)),
      },
    };
  }

  function newKey() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  }

  // ------------------------------------------------------------ the store

  const DB = 'valgvagt-offline';
  const STORES = ['rosters', 'queue', 'notices'];
  let opened = null;

  function request(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  function db() {
    if (!opened) {
      const req = root.indexedDB.open(DB, 1);
      req.onupgradeneeded = () => {
        const d = req.result;
        d.createObjectStore('rosters', { keyPath: 'station_id' });
        d.createObjectStore('queue', { keyPath: 'key' });
        d.createObjectStore('notices', { autoIncrement: true });
      };
      opened = request(req).then((d) => {
        // Another tab or the worker upgrading: let it.
        d.onversionchange = () => {
          d.close();
          opened = null;
        };
        return d;
      });
      opened.catch(() => {
        opened = null;
      });
    }
    return opened;
  }

  async function run(store, mode, work) {
    const d = await db();
    const tx = d.transaction(store, mode);
    const result = await work(tx.objectStore(store));
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    return result;
  }

  const getRoster = (station) => run('rosters', 'readonly', (s) => request(s.get(Number(station))));
  const putRoster = (roster) => run('rosters', 'readwrite', (s) => request(s.put(roster)));
  const queued = () => run('queue', 'readonly', (s) => request(s.getAll()));
  const enqueue = (item) => run('queue', 'readwrite', (s) => request(s.put(item)));
  const dequeue = (key) => run('queue', 'readwrite', (s) => request(s.delete(key)));
  const notice = (text) => run('notices', 'readwrite', (s) => request(s.add({ text, at: Date.now() })));

  /** The notices not yet shown, taken (each is shown once). */
  async function takeNotices() {
    return run('notices', 'readwrite', async (s) => {
      const all = await request(s.getAll());
      await request(s.clear());
      return all.map((n) => n.text);
    });
  }

  /** Everything this device keeps for the person: at sign-out, when the
   * session has ended, when someone else signs in. */
  async function forgetAll() {
    for (const store of STORES) await run(store, 'readwrite', (s) => request(s.clear()));
  }

  /** Rosters past their last day go. */
  async function dropExpired(nowSecs) {
    await run('rosters', 'readwrite', async (s) => {
      for (const roster of await request(s.getAll())) {
        if (expired(roster, nowSecs)) await request(s.delete(roster.station_id));
      }
    });
  }

  /** Fetches a station's roster for the device to keep; forgets it when
   * the server says the person may not (any more). */
  async function refreshRoster(station, day) {
    // The day a check-in page showed is asked for again by the scanner.
    const asked = day || (await getRoster(station))?.asked || '';
    const response = await fetch('/api/checkin/offline', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ station_id: String(station), day: asked }),
    });
    if (response.status === 401 || response.status === 403) {
      await run('rosters', 'readwrite', (s) => request(s.delete(Number(station))));
      return null;
    }
    if (!response.ok) throw new Error(`roster ${response.status}`);
    const roster = { ...(await response.json()), asked };
    await putRoster(roster);
    return roster;
  }

  // ------------------------------------------------------------ sending

  /** The server's words for a refusal, if it sent any. */
  async function refusal(response) {
    try {
      const error = await response.json();
      const inner = error && typeof error === 'object' ? Object.values(error)[0] : null;
      return inner && inner.text ? inner.text : null;
    } catch {
      return null;
    }
  }

  async function sendOne(item) {
    const response = await fetch(item.url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(item.fields),
    });
    const what = verdict(response.status);
    if (what === 'retry') return false;
    if (what === 'done' && item.kind === 'mark') {
      const answer = await response.json().catch(() => null);
      if (answer) {
        const roster = await getRoster(item.station);
        const line = roster && roster.lines.find((l) => String(l.seat_id) === item.fields.seat_id);
        if (line) {
          line.attendance = answer.attendance;
          await putRoster(roster);
        }
        if (answer.message) await notice(`${item.label}: ${answer.message}`);
      }
    } else if (what === 'refused') {
      const text = await refusal(response);
      await notice(text ? `${item.label}: ${text}` : item.label);
    }
    await dequeue(item.key);
    return true;
  }

  /** Sends what waits, oldest first, each until it is answered; stops at
   * the first that gets no answer (no network), so the order holds. One
   * sender at a time per device (page and worker share the lock). */
  async function flush() {
    const go = async () => {
      for (const item of inOrder(await queued())) {
        let answered = false;
        try {
          answered = await sendOne(item);
        } catch {
          answered = false;
        }
        if (!answered) return (await queued()).length;
      }
      return 0;
    };
    const locks = root.navigator && root.navigator.locks;
    return locks ? locks.request('valgvagt-queue', go) : go();
  }

  root.ValgvagtOffline = {
    inOrder,
    localStates,
    baseStates,
    presentCount,
    verdict,
    expired,
    lineForCode,
    markItem,
    newKey,
    getRoster,
    putRoster,
    queued,
    enqueue,
    takeNotices,
    forgetAll,
    dropExpired,
    refreshRoster,
    flush,
  };
  if (typeof module !== 'undefined') module.exports = root.ValgvagtOffline;
})(typeof self !== 'undefined' ? self : globalThis);
