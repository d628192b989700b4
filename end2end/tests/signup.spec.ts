import { expect, test } from '@playwright/test';
import { adminSignInLink, checkA11y, expectNoHorizontalScroll, signInByMail, signInWithLink } from './helpers';

test('a team leader shares a link; anyone sees the open shifts; a volunteer takes one in a tap', async ({ browser }, info) => {
  const leader = await (await browser.newContext({ viewport: { width: 1024, height: 768 } })).newPage();
  await signInByMail(leader, 'holdleder.bs@korsbaek.example');
  await leader.getByRole('link', { name: 'Mine teams' }).click();
  await leader.getByRole('link', { name: 'Borgerservice', exact: true }).click();
  await leader.locator('body[data-ready="true"]').waitFor();
  const links = leader.getByRole('region', { name: 'Tilmeldingslinks' });
  const before = await links.getByRole('listitem').count();
  // Other tests make elections of their own; this link is for the demo's.
  await links.getByLabel('Valg', { exact: true }).selectOption({ label: 'Folketingsvalg 2027' });
  await links.getByRole('button', { name: 'Lav linket' }).click();
  await expect(links.getByRole('listitem')).toHaveCount(before + 1);
  const url = await links.getByLabel('Dit nye link').inputValue();
  expect(url).toMatch(/\/join\/[A-Za-z0-9_-]{20,}$/);
  const path = new URL(url).pathname;
  // The address is shown this once: the list says only what each link is for.
  await expect(links.getByRole('listitem').first()).not.toContainText('/join/');
  await leader.reload();
  await leader.locator('body[data-ready="true"]').waitFor();
  await expect(links.getByRole('listitem')).toHaveCount(before + 1);
  await expect(links.getByLabel('Dit nye link')).toHaveCount(0);

  // Anyone with the link sees the open shifts, grouped by station.
  const visitor = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
  await visitor.goto(path);
  await expect(visitor.getByRole('heading', { level: 1 })).toHaveText('Bliv frivillig ved Folketingsvalg 2027');
  await expect(visitor.getByText('Har du allerede en konto?')).toBeVisible();
  await expect(visitor.getByRole('heading', { level: 3, name: 'Brevstemmemodtager' }).first()).toBeVisible();
  await expect(visitor.getByRole('heading', { level: 3, name: 'Valgstyrer' })).toHaveCount(0);
  await visitor.locator('body[data-ready="true"]').waitFor();
  await expectNoHorizontalScroll(visitor);
  await checkA11y(visitor, 'sign-up link, signed out');

  // A volunteer with an account takes a postal-vote shift.
  const admin = await (await browser.newContext()).newPage();
  await signInWithLink(admin, adminSignInLink(`link-${info.project.name}@example.dk`));
  await admin.goto(`/volunteers/${info.project.name === 'phone' ? 4 : 3}`);
  const email = (await admin.locator('a[href^="mailto:"]').first().getAttribute('href'))!.replace('mailto:', '');
  await signInByMail(visitor, email);
  await visitor.goto(path);
  const card = visitor
    .locator('.roster-line')
    .filter({ hasText: 'Brevstemmemodtager' })
    .filter({ has: visitor.getByRole('button', { name: /Tag vagten/ }) })
    .first();
  const when = (await card.locator('strong').textContent())!;
  await checkA11y(visitor, 'sign-up link, signed in');
  await card.getByRole('button', { name: /Tag vagten/ }).click();
  await expect(visitor.getByRole('heading', { level: 1 })).toHaveText('Mine vagter');
  await expect(visitor.locator('.roster-line').filter({ hasText: when }).filter({ hasText: 'Accepteret' })).toBeVisible();
  await leader.context().close();
  await visitor.context().close();
  await admin.context().close();
});
