import { Page, expect, test } from '@playwright/test';
import { adminSignInLink, signInByMail, signInWithLink } from './helpers';

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
  const waiting = manager.locator('li[data-seat][data-attendance=""]');
  expect(await waiting.count()).toBeGreaterThanOrEqual(3);
  const seats = await waiting.evaluateAll((lis) => lis.slice(0, 3).map((li) => li.id));
  const firstName = (await manager.locator(`#${seats[0]} .member-name`).textContent())!.split(' Ikke')[0].trim();

  // The office's board, online all along.
  const board = await (await browser.newContext(tablet)).newPage();
  await signInWithLink(board, adminSignInLink(`offline-tavle-${info.project.name}@example.dk`));
  await board.goto('/board');
  await board.locator('body[data-ready="true"]').waitFor();
  await board.getByLabel('Valg', { exact: true }).selectOption({ label: 'Folketingsvalg 2027' });
  await board.getByRole('button', { name: 'Vis' }).click();
  await expect(board.getByLabel('Dag', { exact: true }).locator('option', { hasText: 'tirsdag 4. maj 2027' })).toHaveCount(1);
  await board.locator('body[data-ready="true"]').waitFor();
  await board.getByLabel('Dag', { exact: true }).selectOption({ label: 'tirsdag 4. maj 2027' });
  await board.getByRole('button', { name: 'Vis' }).click();
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
  // Two check-ins and a no-show, each shown at once.
  await manager.locator(`#${seats[0]} form[data-mark="arrived"] button`).click();
  await expect(manager.locator(`#${seats[0]} .badge`)).toHaveText('Mødt');
  await manager.locator(`#${seats[1]} form[data-mark="arrived"] button`).click();
  await manager.locator(`#${seats[2]} form[data-mark="no_show"] button`).click();
  await expect(manager.locator(`#${seats[2]} .badge`)).toHaveText('Udeblevet');
  await expect(banner).toContainText('3 ændringer venter');
  // Kept through another reload.
  await manager.reload();
  await expect(manager.locator(`#${seats[1]} .badge`)).toHaveText('Mødt');
  await expect(status).toHaveAttribute('data-waiting-count', '3');
  await expect(present).toContainText(`${arrived}/${accepted}`);

  // The network is back: the board shows all three within 2 s.
  await context.setOffline(false);
  await expect(present).toContainText(`${arrived + 2}/${accepted}`, { timeout: 2_000 });
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
