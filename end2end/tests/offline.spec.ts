import { BrowserContext, Page, expect, test } from '@playwright/test';
import QRCode from 'qrcode';
import { E2E_BASE_URL } from '../e2e-env';
import { CaughtMail, adminSignInLink, boardOfTheDemo, cameraFilming, latestMailTo, mailsTo, onTheirPhone, signInByMail, signInWithLink } from './helpers';

const tablet = { viewport: { width: 1024, height: 768 }, hasTouch: true };

/** Waits until the service worker has kept a page whose address contains `part`. */
async function keptPage(page: Page, part: string): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(async (p) => {
          if (!(await caches.has('valgvagt-pages'))) return false;
          const keys = await (await caches.open('valgvagt-pages')).keys();
          return keys.some((r) => r.url.includes(p));
        }, part),
      { timeout: 10_000 },
    )
    .toBe(true);
}

/** The check-in code the device keeps for a seat of a station's roster. */
async function keptCode(page: Page, station: number, seat: number): Promise<string> {
  return page.evaluate(
    async ([station, seat]) => {
      const db: IDBDatabase = await new Promise((resolve, reject) => {
        const open = indexedDB.open('valgvagt-offline');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const roster: { lines: { seat_id: number; code: string }[] } = await new Promise((resolve, reject) => {
        const get = db.transaction('rosters').objectStore('rosters').get(station);
        get.onsuccess = () => resolve(get.result);
        get.onerror = () => reject(get.error);
      });
      db.close();
      return roster.lines.find((line) => line.seat_id === seat)!.code;
    },
    [station, seat],
  );
}

/** Gives every page of `context` a camera that films the QR code a phone
 * shows for check-in `code` (the decoding in the page is real). */
async function cameraFilmingCode(context: BrowserContext, code: string): Promise<void> {
  const svg = await QRCode.toString(`${E2E_BASE_URL}/checkin/${code}`, { type: 'svg', margin: 4 });
  await cameraFilming(context, svg);
}

/** The mails to `address` whose subject starts with `subject`. */
async function mailsToSubject(address: string, subject: string): Promise<CaughtMail[]> {
  return (await mailsTo(address)).filter((mail) => mail.subject.startsWith(subject));
}

/** Whether `text` is anywhere in the device's storage (IndexedDB, Cache Storage). */
async function storedAnywhere(page: Page, text: string): Promise<string[]> {
  return page.evaluate(async (needle) => {
    const found: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const request of await cache.keys()) {
        const body = await (await cache.match(request))!.text();
        if (body.includes(needle)) found.push(`${name} ${request.url}`);
      }
    }
    const db: IDBDatabase = await new Promise((resolve, reject) => {
      const open = indexedDB.open('valgvagt-offline');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    for (const store of Array.from(db.objectStoreNames)) {
      const rows: unknown[] = await new Promise((resolve) => {
        const all = db.transaction(store).objectStore(store).getAll();
        all.onsuccess = () => resolve(all.result);
      });
      if (JSON.stringify(rows).includes(needle)) found.push(`indexeddb ${store}`);
      if (rows.length > 0) found.push(`indexeddb ${store}: ${rows.length} rows`);
    }
    db.close();
    return found;
  }, text);
}

test('a station checks people in through a network outage; nothing is lost and nothing is left at sign-out', async ({ browser }, info) => {
  const n = info.project.name === 'phone' ? 3 : 4;
  const context = await browser.newContext(tablet);
  const manager = await context.newPage();
  await signInByMail(manager, `valgstyrer.${n}@korsbaek.example`);
  const url = `/stations/${n}/checkin?day=2027-05-04`;
  await manager.goto(url);
  await manager.locator('body[data-ready="true"]').waitFor();
  // Online: the device keeps the roster (and says when it fetched it).
  const status = manager.locator('#offline-status');
  await expect(status.locator('[data-part="refreshed"]')).toContainText('Listen er hentet');
  await keptPage(manager, url);
  await keptPage(manager, `/stations/${n}/scan`);
  await keptPage(manager, `/stations/${n}/attendance-sheet`);
  const waiting = manager.locator('li[data-seat][data-attendance=""]');
  expect(await waiting.count()).toBeGreaterThanOrEqual(4);
  const seats = await waiting.evaluateAll((lis) => lis.slice(0, 4).map((li) => li.id));
  const nameOf = async (seat: string) => (await manager.locator(`#${seat} .member-name`).textContent())!.split(' Ikke')[0].trim();
  const firstName = await nameOf(seats[0]);
  // The fourth person will show their code to the tablet's camera.
  const scannedName = await nameOf(seats[3]);
  await cameraFilmingCode(context, await keptCode(manager, n, Number(seats[3].replace('seat-', ''))));

  // The office's board, online all along.
  const board = await (await browser.newContext(tablet)).newPage();
  await signInWithLink(board, adminSignInLink(`offline-tavle-${info.project.name}@example.dk`));
  await boardOfTheDemo(board);
  await board.locator('#board-live[data-live="open"]').waitFor();
  const present = board.locator(`tr[data-station="${n}"] [data-testid=present]`);
  const [arrived, accepted] = (await present.textContent())!.split(' ')[0].split('/').map(Number);

  // The network goes; the page still works after a reload.
  await context.setOffline(true);
  await manager.reload();
  await manager.locator('body[data-ready="true"]').waitFor();
  await expect(manager.getByRole('heading', { level: 1 })).toContainText('Fremmøde');
  const banner = status.locator('[data-part="banner"]');
  await expect(banner).toContainText('Ingen forbindelse');
  // The attendance sheet, to print, is kept too.
  await manager.goto(`/stations/${n}/attendance-sheet?day=2027-05-04`);
  await expect(manager.getByRole('heading', { level: 1 })).toContainText('Fremmødeliste');
  await manager.goto(url);
  await manager.locator('body[data-ready="true"]').waitFor();
  // Two check-ins and a no-show, each shown at once.
  await manager.locator(`#${seats[0]} form[data-mark="arrived"] button`).click();
  await expect(manager.locator(`#${seats[0]} .badge`)).toHaveText('Mødt');
  await manager.locator(`#${seats[1]} form[data-mark="arrived"] button`).click();
  await manager.locator(`#${seats[2]} form[data-mark="no_show"] button`).click();
  await expect(manager.locator(`#${seats[2]} .badge`)).toHaveText('Udeblevet');
  await expect(banner).toContainText('3 ændringer venter');
  // The scanner works offline too: the code is matched against the kept roster.
  await manager.getByRole('link', { name: 'Scan med kameraet' }).click();
  const result = manager.locator('#scan-result');
  await expect(result).toContainText(scannedName, { timeout: 10_000 });
  await result.getByRole('button', { name: 'Tjek ind nu' }).click();
  await expect(result.getByRole('status')).toHaveText(`${scannedName} er tjekket ind.`);
  await expect(manager.locator('#offline-status')).toHaveAttribute('data-waiting-count', '4');
  await manager.getByRole('link', { name: 'Tilbage til fremmødet' }).click();
  await expect(manager.locator(`#${seats[3]} .badge`)).toHaveText('Mødt');
  // Kept through another reload.
  await manager.reload();
  await expect(manager.locator(`#${seats[1]} .badge`)).toHaveText('Mødt');
  await expect(status).toHaveAttribute('data-waiting-count', '4');
  await expect(present).toContainText(`${arrived}/${accepted}`);

  // The network is back: the board shows all four within 2 s.
  await context.setOffline(false);
  await expect(present).toContainText(`${arrived + 3}/${accepted}`, { timeout: 2_000 });
  await expect(present).toContainText('1 udeblevet', { timeout: 2_000 });
  await expect(status).toHaveAttribute('data-waiting-count', '0');
  await expect(banner).toBeHidden();

  // Signed out without a network: nothing of the roster is left on the device.
  await context.setOffline(true);
  await manager.getByRole('button', { name: 'Log ud', exact: true }).click();
  await manager.waitForLoadState();
  await context.setOffline(false);
  expect(await storedAnywhere(manager, firstName)).toEqual([]);
  // Online again, the server is told too: the session is over.
  await manager.goto('/');
  await manager.goto(url);
  await manager.waitForLoadState();
  await expect(manager.locator('li[data-seat]')).toHaveCount(0);
  await expect(manager.getByRole('button', { name: 'Log ud', exact: true })).toHaveCount(0);
  await context.close();
  await board.context().close();
});

test('two offline tablets check the same person in once, at the earlier time; a check-in after the office took someone off is flagged', async ({ browser }, info) => {
  const station = info.project.name === 'phone' ? 26 : 27;
  const url = `/stations/${station}/checkin?day=2027-05-04`;
  // Two tablets at the station, each signed in as someone of the office.
  const tablets: Page[] = [];
  for (const which of ['a', 'b']) {
    const page = await (await browser.newContext(tablet)).newPage();
    await signInWithLink(page, adminSignInLink(`offline-tablet-${which}-${info.project.name}@example.dk`));
    await page.goto(url);
    await page.locator('body[data-ready="true"]').waitFor();
    await expect(page.locator('#offline-status [data-part="refreshed"]')).toContainText('Listen er hentet');
    await keptPage(page, url);
    tablets.push(page);
  }
  const [a, b] = tablets;
  const waiting = a.locator('li[data-seat][data-attendance=""]');
  const [both, removed] = await waiting.evaluateAll((lis) => lis.slice(0, 2).map((li) => li.id));
  const removedName = (await a.locator(`#${removed} .member-name`).textContent())!.split(' Ikke')[0].trim();

  // The office's board and roster, online all along.
  const office = await (await browser.newContext(tablet)).newPage();
  await signInWithLink(office, adminSignInLink(`offline-kontor-${info.project.name}@example.dk`));

  // Both tablets lose the network. Their clocks differ: B taps first.
  const now = Date.now();
  const early = new Date(now - 20 * 60_000);
  const late = new Date(now - 5 * 60_000);
  for (const page of tablets) {
    await page.context().setOffline(true);
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
  }
  await b.clock.setFixedTime(early);
  await b.locator(`#${both} form[data-mark="arrived"] button`).click();
  await expect(b.locator(`#${both} .badge`)).toHaveText('Mødt');
  await a.clock.setFixedTime(late);
  await a.locator(`#${both} form[data-mark="arrived"] button`).click();
  await a.locator(`#${removed} form[data-mark="arrived"] button`).click();
  await expect(a.locator('#offline-status')).toHaveAttribute('data-waiting-count', '2');

  // Meanwhile the office takes the second person off their seat.
  await office.goto(`/stations/${station}/roster`);
  const seat = office.locator(`#${removed}`);
  await seat.getByText('Ændr', { exact: true }).click();
  await seat.getByLabel('Hvorfor tages personen af pladsen?').fill('Flyttet til et andet valgsted');
  await seat.getByRole('button', { name: 'Tag af pladsen' }).click();
  await expect(office.locator(`#${removed}`)).toContainText('Ledig plads');
  await boardOfTheDemo(office, { day: false });
  await office.locator('#board-live[data-live="open"]').waitFor();
  const flags = office.getByTestId('checkin-flags');
  await expect(flags).toHaveCount(0);

  // A comes back first, B later.
  await a.context().setOffline(false);
  await expect(a.locator('#offline-status')).toHaveAttribute('data-waiting-count', '0');
  // A is told that its check-in came too late for the seat, and the
  // board shows it to the office within 2 s.
  await expect(a.locator('#offline-status [data-part="notices"]')).toContainText(
    `${removedName}: Valgkontoret havde taget personen af pladsen.`,
  );
  await expect(flags).toContainText(`${removedName} på`, { timeout: 2_000 });
  await b.context().setOffline(false);
  await expect(b.locator('#offline-status')).toHaveAttribute('data-waiting-count', '0');

  // One check-in, at B's (the earlier) time, on both tablets.
  const clock = new Intl.DateTimeFormat('da-DK', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Europe/Copenhagen' });
  const earlyTime = clock.format(early).replace('.', ':');
  for (const page of tablets) {
    await page.clock.setFixedTime(new Date(now));
    await page.reload();
    await expect(page.locator(`#${both} .badge`)).toHaveText('Mødt');
    await expect(page.locator(`#${both} [data-testid=attendance-time]`)).toHaveText(earlyTime);
  }

  // The office has seen it: the flag goes.
  await flags.getByRole('button', { name: `Set – ${removedName}` }).click();
  await expect(office.getByTestId('checkin-flags')).toHaveCount(0);
  for (const page of [...tablets, office]) await page.context().close();
});

test('a volunteer shows Mine vagter and the check-in code without a network', async ({ browser }, info) => {
  const admin = await (await browser.newContext(tablet)).newPage();
  await signInWithLink(admin, adminSignInLink(`offline-vagter-${info.project.name}@example.dk`));
  // A demo volunteer with an accepted shift (read only: both projects).
  await admin.goto('/volunteers/1');
  const email = (await admin.locator('a[href^="mailto:"]').first().getAttribute('href'))!.replace('mailto:', '');
  await admin.context().close();

  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const phone = await context.newPage();
  await signInByMail(phone, email);
  await phone.goto('/my-shifts');
  await phone.locator('body[data-ready="true"]').waitFor();
  await keptPage(phone, '/my-shifts');
  await context.setOffline(true);
  await phone.reload();
  await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Mine vagter');
  const shift = phone.locator('.roster-line:has(.checkin-qr)').first();
  await shift.getByText('Vis fremmødekode').click();
  await expect(shift.locator('.qr svg')).toBeVisible();
  await expect(phone.locator('a[href^="tel:"]').first()).toBeVisible();
  await context.close();
});

test('"I\'m delayed" tapped on the day without a network waits on the phone and reaches the station when there is one', async ({ browser }, info) => {
  const tag = info.project.name === 'phone' ? 'telefon' : 'tablet';
  const station = info.project.name === 'phone' ? 17 : 18;
  const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Copenhagen' }).format(new Date());
  // A seat can be offered only before its shift begins: the shift here
  // begins at 23:59 today, which leaves no time in the last minutes of a day.
  const clock = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Copenhagen', hour: '2-digit', minute: '2-digit' });
  test.skip(clock.format(new Date()) >= '23:50', 'needs a shift that begins later today');
  const admin = await (await browser.newContext(tablet)).newPage();
  await signInWithLink(admin, adminSignInLink(`offline-forsinket-${tag}@example.dk`));
  const task = `Aftenvagt ${tag}`;
  await admin.goto('/task-types');
  await admin.getByRole('link', { name: 'Opret opgavetype' }).click();
  await admin.getByLabel('Titel').fill(task);
  await admin.getByLabel('Forkortelse').fill(`AV${tag.slice(0, 3).toUpperCase()}`);
  await admin.getByLabel('Starttid').fill('23:59');
  await admin.getByLabel('Sluttid').fill('02:00');
  await admin.getByLabel('Betaling (kr.)').fill('500');
  await admin.getByRole('button', { name: 'Gem' }).click();
  await expect(admin).toHaveURL(/\/task-types$/);
  // An election whose day of work is today, with one seat at the station.
  const title = `Valg i dag ${tag}`;
  await admin.goto('/elections');
  await admin.getByRole('link', { name: 'Opret valg' }).click();
  await admin.getByLabel('Titel').fill(title);
  await admin.getByLabel('Valgtype').selectOption({ label: 'Folketingsvalg og folkeafstemning' });
  await admin.getByLabel('Valgdag').fill(today);
  await admin.getByLabel('Første arbejdsdag').fill(today);
  await admin.getByLabel('Sidste arbejdsdag').fill(today);
  await admin.getByLabel('Aktivt').check();
  await admin.getByRole('button', { name: 'Gem' }).click();
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText(title);
  const electionUrl = admin.url();
  const electionId = electionUrl.match(/\/elections\/(\d+)/)![1];
  try {
    await admin.goto(`/stations/${station}/roster`);
    const stationName = (await admin.getByRole('heading', { level: 1 }).textContent())!.replace('Vagtplan for ', '');
    await admin.goto(electionUrl);
    await admin.getByRole('link', { name: stationName, exact: true }).click();
    await admin.locator('body[data-ready="true"]').waitFor();
    await admin.getByLabel(`Frivillige – ${task}`).fill('1');
    await admin.getByRole('button', { name: 'Gem pladsfordeling' }).click();
    await expect(admin.getByRole('status')).toHaveText('Pladsfordelingen er gemt.');

    // A volunteer with an account is invited to it and the office says yes for them.
    const volunteerId = info.project.name === 'phone' ? '171' : '181';
    await admin.goto(`/volunteers/${volunteerId}`);
    const name = (await admin.getByRole('heading', { level: 1 }).textContent())!.trim();
    const { phone, email } = await onTheirPhone(admin, browser, volunteerId, name);
    const longToday = new Intl.DateTimeFormat('da-DK', {
      weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Copenhagen',
    }).format(new Date()).replace(' den ', ' ');
    await admin.goto(`/stations/${station}/roster?election=${electionId}`);
    const open = admin.locator('.roster-line').filter({ hasText: 'Ledig plads' }).filter({ hasText: longToday });
    await expect(open).toHaveCount(1);
    const seat = (await open.getAttribute('id'))!;
    await open.locator('summary', { hasText: 'Invitér' }).click();
    await open.getByLabel('Den frivilliges e-mail').fill(email);
    await open.getByRole('button', { name: 'Send invitation' }).click();
    await expect(admin.locator(`#${seat}`)).toContainText('Inviteret');
    await admin.locator(`#${seat}`).getByText('Ændr', { exact: true }).click();
    await admin.locator(`#${seat}`).getByRole('button', { name: 'Svar ja for personen' }).click();
    await expect(admin.locator(`#${seat}`)).toContainText('Accepteret');

    // On the day, on the phone: Mine vagter is kept, then the network goes.
    await phone.goto('/my-shifts');
    await phone.locator('body[data-ready="true"]').waitFor();
    await keptPage(phone, '/my-shifts');
    await phone.context().setOffline(true);
    await phone.reload();
    await phone.locator('body[data-ready="true"]').waitFor();
    const shift = phone.locator(`#${seat}`);
    await shift.getByText('Jeg er forsinket').click();
    await shift.getByLabel('Hvornår regner du med at være der?').fill('Om et kvarter');
    await shift.getByRole('button', { name: 'Giv stedet besked' }).click();
    await expect(shift.getByRole('status')).toHaveText(
      'Ingen forbindelse lige nu: beskeden er gemt på telefonen og sendes, så snart der er net.',
    );
    const coordinator = 'koordinator.nord@korsbaek.example';
    const before = (await mailsToSubject(coordinator, `Forsinket: ${name}`)).length;
    // Back online: the report goes, and the area's coordinator is told once.
    await phone.context().setOffline(false);
    await expect.poll(async () => (await mailsToSubject(coordinator, `Forsinket: ${name}`)).length, { timeout: 10_000 }).toBe(before + 1);
    const mail = await latestMailTo(coordinator);
    expect(mail.text).toContain('Om et kvarter');
    await phone.context().close();
  } finally {
    // The election leaves the other tests' days as they were.
    await admin.goto(electionUrl);
    await admin.getByRole('link', { name: 'Rediger valg' }).click();
    await admin.getByLabel('Aktivt').uncheck();
    await admin.getByRole('button', { name: 'Gem' }).click();
    await expect(admin.getByRole('heading', { level: 1 })).toHaveText(title);
    await admin.context().close();
  }
});
