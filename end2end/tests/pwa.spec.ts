import { expect, test, type Page } from '@playwright/test';
import { adminSignInLink, checkA11y, signInByMail, signInWithLink } from './helpers';

/** Waits until the service worker is active and controls this page. */
async function controlled(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready);
  if (!(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)))) {
    await page.reload();
  }
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
}

test('the app is installable: manifest, icons and a service worker for the whole site', async ({ page, request }) => {
  await page.goto('/');
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBe('/manifest.webmanifest');
  const manifest = await (await request.get(href!)).json();
  expect(manifest.lang).toBe('da');
  expect(manifest.display).toBe('standalone');
  expect(manifest.start_url).toBe('/');
  const purposes = manifest.icons.map((i: { purpose: string; sizes: string }) => `${i.purpose} ${i.sizes}`);
  expect(purposes).toEqual(expect.arrayContaining(['any 192x192', 'any 512x512', 'maskable 512x512']));
  for (const icon of manifest.icons) {
    const response = await request.get(icon.src);
    expect(response.ok(), icon.src).toBe(true);
  }
  expect((await request.get('/icons/apple-touch-icon.png')).ok()).toBe(true);

  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  expect(new URL(scope).pathname).toBe('/');
  // The worker carries the build it belongs to, as every page does.
  const worker = await request.get('/sw.js');
  const build = worker.headers()['x-valgvagt-build'];
  expect(build).toMatch(/^[0-9a-f]{16}$/);
  expect(await worker.text()).toContain(`const BUILD = '${build}';`);
  // No permission is asked for on its own.
  expect(await page.evaluate(() => Notification.permission)).toBe('default');
});

test('pages seen before open without a network; others show the offline page', async ({ page, context }, info) => {
  await signInWithLink(page, adminSignInLink(`offline-${info.project.name}@example.dk`));
  await controlled(page);
  await page.goto('/stations');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Afstemningssteder');

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Afstemningssteder');
  await expect(page.getByRole('cell', { name: 'Rådhuset', exact: true })).toBeVisible();

  await page.goto('/task-types');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ingen forbindelse');
  await checkA11y(page, 'offline page');
  await context.setOffline(false);

  // Signing out forgets the pages kept for offline use.
  await page.goto('/');
  await page.getByRole('button', { name: 'Log ud', exact: true }).click();
  await expect(page.getByRole('link', { name: 'Log ind' }).first()).toBeVisible();
  await context.setOffline(true);
  await page.goto('/stations');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ingen forbindelse');
  await context.setOffline(false);
});

test('a roster kept for offline use is not shown once its session has run out', async ({ page, context }) => {
  await signInByMail(page, 'valgstyrer.1@korsbaek.example');
  await controlled(page);
  await page.goto('/my-stations');
  const roster = await page.locator('main a[href$="/roster"]').first().getAttribute('href');
  await page.goto(roster!);
  const heading = page.getByRole('heading', { level: 1 });
  await expect(heading).toContainText('Vagtplan for');
  const response = await page.request.get(roster!);
  expect(response.headers()['cache-control']).toBe('private, no-store');

  // While the session lasts, the station's tablet still has it offline …
  await context.setOffline(true);
  await page.reload();
  await expect(heading).toContainText('Vagtplan for');
  await expect(page.locator('a[href^="tel:+45"]').first()).toBeAttached();

  // … but once the session's idle time (8 hours) has passed on the device's
  // clock, without a network to ask, the names and phones are gone.
  const worker = context.serviceWorkers().find((w) => w.url().endsWith('/sw.js'));
  expect(worker).toBeTruthy();
  await worker!.evaluate(() => {
    const real = Date.now;
    Date.now = () => real() + 9 * 3600 * 1000;
  });
  await page.reload();
  await expect(heading).toHaveText('Ingen forbindelse');
  await expect(page.locator('a[href^="tel:+45"]')).toHaveCount(0);
  // The kept copy was dropped, not just hidden: it stays gone.
  await page.goto('/my-stations');
  await expect(heading).toHaveText('Ingen forbindelse');
  await context.setOffline(false);
});

test('a push message shows a notification with title, text and the shift it belongs to', async ({ page, context }) => {
  await context.grantPermissions(['notifications']);
  await page.goto('/');
  await controlled(page);
  const cdp = await context.newCDPSession(page);
  const registration = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const ours = registrations.find((r: { scopeURL: string; isDeleted: boolean }) => !r.isDeleted && r.scopeURL.endsWith('/'));
      if (ours) resolve(ours.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  const registrationId = await registration;
  const origin = new URL(page.url()).origin;
  const payload = {
    title: 'Snart: Tilforordnet 4.5.2027',
    body: 'Rådhuset, Torvet 1, kl. 07:00–22:00.',
    tag: 'seat-42',
    url: '/my-shifts/42',
    lang: 'da',
    seat_id: 42,
    actions: [],
  };
  const count = () =>
    page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).length);
  // DevTools may hand the message over before the worker listens for it on
  // a cold start; the tag makes a second delivery replace, not add.
  for (let attempt = 0; attempt < 3 && (await count()) === 0; attempt++) {
    await cdp.send('ServiceWorker.deliverPushMessage', { origin, registrationId, data: JSON.stringify(payload) });
    await expect.poll(count, { timeout: 3000 }).toBe(1).catch(() => undefined);
  }
  expect(await count()).toBe(1);
  const shown = await page.evaluate(async () => {
    const [n] = await (await navigator.serviceWorker.ready).getNotifications();
    return { title: n.title, body: n.body, tag: n.tag, data: n.data, icon: n.icon };
  });
  expect(shown.title).toBe(payload.title);
  expect(shown.body).toBe(payload.body);
  expect(shown.tag).toBe('seat-42');
  expect(shown.data.url).toBe('/my-shifts/42');
  expect(shown.icon).toContain('/icons/icon-192.png');

  // A second reminder for the same seat replaces the first.
  await cdp.send('ServiceWorker.deliverPushMessage', {
    origin,
    registrationId,
    data: JSON.stringify({ ...payload, body: 'I morgen kl. 07:00.' }),
  });
  await expect
    .poll(() => page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => n.body)))
    .toEqual(['I morgen kl. 07:00.']);
});

test('push is turned on from the account page only after a tap, and says so when it cannot be', async ({ page }, info) => {
  await signInWithLink(page, adminSignInLink(`push-${info.project.name}@example.dk`));
  await page.getByRole('link', { name: 'Min konto' }).click();
  const section = page.getByRole('region', { name: 'Notifikationer på dine enheder' });
  await expect(section.getByText('Notifikationer er ikke slået til på nogen enhed.')).toBeVisible();
  await page.locator('body[data-ready="true"]').waitFor();
  const button = section.getByRole('button', { name: 'Slå notifikationer til på denne enhed' });
  await expect(button).toBeDisabled();
  await section.getByLabel('Navn på denne enhed').fill('Testtelefon');
  await expect(button).toBeEnabled();
  await checkA11y(page, 'account with push settings');
  // Headless Chromium asked for permission says no by itself: the person is told.
  await button.click();
  await expect(section.getByRole('alert')).toContainText('Notifikationer blev ikke tilladt');
});
