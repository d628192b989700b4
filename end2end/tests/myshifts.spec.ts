import { expect, test } from '@playwright/test';
import { adminSignInLink, checkA11y, expectNoHorizontalScroll, signInByMail, signInWithLink } from './helpers';

/** A bound against hanging, not a latency claim (the pages bench measures that). */
const LIVE_UPDATE_MS = 10_000;

test('invited from the roster, a volunteer answers on the phone, gets it in the calendar and can cancel', async ({ browser }, info) => {
  const admin = await (await browser.newContext({ viewport: { width: 1024, height: 768 } })).newPage();
  await signInWithLink(admin, adminSignInLink(`vagter-${info.project.name}@example.dk`));
  // A demo volunteer with an account; each project its own.
  await admin.goto(`/volunteers/${info.project.name === 'phone' ? 1 : 2}`);
  const email = (await admin.locator('a[href^="mailto:"]').first().getAttribute('href'))!.replace('mailto:', '');

  // The volunteer has Mine vagter open on the phone, connected to its live
  // stream, before the office invites.
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
  await signInByMail(phone, email);
  await phone.getByRole('link', { name: 'Mine vagter' }).click();
  await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Mine vagter');
  await phone.locator('#my-shifts-live[data-live="open"]').waitFor();
  const invitations = phone.locator('.roster-line').filter({ hasText: 'Inviteret' });
  const before = await invitations.count();

  // A count-out seat the day after the election: the demo gives neither
  // volunteer a shift that day (an overlapping one would be refused).
  await admin.goto('/stations/1/roster');
  const open = admin.locator('.roster-line').filter({ hasText: 'Ledig plads' }).filter({ hasText: 'Fintæller' }).first();
  await open.getByText('Invitér').click();
  await open.getByLabel('Den frivilliges e-mail').fill(email);
  await open.getByRole('button', { name: 'Send invitation' }).click();
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText('Vagtplan for Rådhuset');

  // The invitation shows on the open page without a reload.
  await expect(invitations).toHaveCount(before + 1, { timeout: LIVE_UPDATE_MS });
  const invited = phone.locator('.roster-line').filter({ hasText: 'Inviteret' }).filter({ hasText: 'Fintæller' }).first();
  await expect(invited).toContainText('Rådhuset');
  await expect(invited).toContainText('Svar senest');
  await phone.locator('body[data-ready="true"]').waitFor();
  await expectNoHorizontalScroll(phone);
  await checkA11y(phone, 'my shifts');
  const seatId = (await invited.getAttribute('id'))!;
  await invited.getByRole('button', { name: 'Ja tak' }).click();
  const accepted = phone.locator(`#${seatId}`);
  await expect(accepted).toContainText('Accepteret');

  // The shift as a calendar file.
  const [download] = await Promise.all([
    phone.waitForEvent('download'),
    accepted.getByRole('link', { name: /Føj til kalender/ }).click(),
  ]);
  const path = await download.path();
  const text = require('node:fs').readFileSync(path, 'utf8') as string;
  expect(text).toContain('BEGIN:VCALENDAR');
  expect(text).toContain('DTSTART;TZID=Europe/Copenhagen:');
  expect(text).toContain('STATUS:CONFIRMED');

  // Cancelling is possible before the lock period, after a confirmation.
  await accepted.getByText('Afmeld vagten').click();
  await accepted.getByRole('button', { name: 'Ja, afmeld' }).click();
  await expect(phone.locator(`#${seatId}`)).toHaveCount(0);
  await phone.context().close();
  await admin.context().close();
});

test('a volunteer chooses how to be told and shares contact details with the team leaders', async ({ browser }, info) => {
  const admin = await (await browser.newContext()).newPage();
  await signInWithLink(admin, adminSignInLink(`profil-${info.project.name}@example.dk`));
  await admin.goto(`/volunteers/${info.project.name === 'phone' ? 1 : 2}`);
  const email = (await admin.locator('a[href^="mailto:"]').first().getAttribute('href'))!.replace('mailto:', '');
  await admin.context().close();

  const page = await (await browser.newContext({ viewport: info.project.use.viewport ?? undefined })).newPage();
  await signInByMail(page, email);
  await page.getByRole('link', { name: 'Min profil' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Min profil');
  await page.locator('body[data-ready="true"]').waitFor();
  await expectNoHorizontalScroll(page);
  await checkA11y(page, 'profile');
  const sms = page.getByRole('checkbox', { name: 'SMS' });
  await expect(sms).toBeChecked();
  await sms.uncheck();
  const share = page.getByRole('group', { name: 'Teamets ledere må se min telefon og e-mail' }).getByRole('checkbox').first();
  await share.check();
  await page.getByRole('button', { name: 'Gem' }).click();
  await expect(page.getByRole('status')).toHaveText('Dine oplysninger er gemt.');
  await page.reload();
  await expect(page.getByRole('checkbox', { name: 'SMS' })).not.toBeChecked();
  await expect(page.getByRole('group', { name: 'Teamets ledere må se min telefon og e-mail' }).getByRole('checkbox').first()).toBeChecked();

  // Everything kept about them, as a file.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Hent mine data (JSON)' }).click(),
  ]);
  const data = JSON.parse(require('node:fs').readFileSync(await download.path(), 'utf8'));
  expect(data.volunteer.email).toBe(email);
  expect(data.channels).toEqual(['push', 'email']);
  await page.context().close();
});
