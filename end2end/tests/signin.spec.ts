import { expect, test } from '@playwright/test';
import { adminSignInLink, checkA11y, expectNoHorizontalScroll, latestMailTo, mailsTo, signInLinkIn, signInWithLink } from './helpers';

test('a link asked for by email arrives by SMTP and signs in', async ({ page }, info) => {
  const email = `post-${info.project.name}@example.dk`;
  adminSignInLink(email); // the account exists; this printed link is not used

  await page.goto('/');
  await page.getByRole('link', { name: 'Log ind' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Log ind');
  await page.locator('body[data-ready="true"]').waitFor();
  await expectNoHorizontalScroll(page);
  await checkA11y(page, 'sign-in page');

  await page.getByLabel('E-mail').fill(email);
  await page.getByRole('button', { name: 'Send mig et link' }).click();
  await expect(page.getByRole('status')).toContainText('Hvis adressen hører til en person hos os');

  const mail = await latestMailTo(email);
  expect(mail.subject).toBe('Dit link til Valgvagt');
  expect(mail.html).toContain('Log ind i Valgvagt');
  await signInWithLink(page, signInLinkIn(mail));

  // An unknown address gets the very same answer, and no mail.
  await page.getByRole('button', { name: 'Log ud', exact: true }).click();
  await page.goto('/signin');
  await page.locator('body[data-ready="true"]').waitFor();
  const unknown = `ukendt-${info.project.name}@example.dk`;
  await page.getByLabel('E-mail').fill(unknown);
  await page.getByRole('button', { name: 'Send mig et link' }).click();
  await expect(page.getByRole('status')).toContainText('Hvis adressen hører til en person hos os');
  // Mail goes out after the answer. A link asked for afterwards has arrived,
  // so a mail to the unknown address would have come by now: none did.
  await page.getByLabel('E-mail').fill(email);
  await page.getByRole('button', { name: 'Send mig et link' }).click();
  await expect(page.getByRole('status')).toContainText('Hvis adressen hører til en person hos os');
  await latestMailTo(email, 2);
  expect(await mailsTo(unknown)).toEqual([]);
});
