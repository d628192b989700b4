import { expect, test } from '@playwright/test';
import { adminSignInLink, checkA11y, expectNoHorizontalScroll, signInWithLink } from './helpers';

test('an administrator reads the audit log, then signs out on all devices', async ({ page }, info) => {
  const email = `revision-${info.project.name}@example.dk`;
  // A failed attempt first: an old, spent link.
  const spent = adminSignInLink(email);
  await signInWithLink(page, spent);
  await page.getByRole('button', { name: 'Log ud', exact: true }).click();
  await page.goto(spent);
  await expect(page.getByText('Linket virker ikke længere')).toBeVisible();

  await signInWithLink(page, adminSignInLink(email));
  await page.getByRole('link', { name: 'Revisionslog' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Revisionslog');
  await page.locator('body[data-ready="true"]').waitFor();
  const mine = page.getByRole('row').filter({ hasText: email });
  await expect(mine.filter({ hasText: 'Logget ind' }).first()).toBeVisible();
  await expectNoHorizontalScroll(page);
  await checkA11y(page, 'audit log');

  // Filter to one kind of event.
  await page.getByLabel('Hændelse').selectOption({ label: 'Logget ind' });
  await page.getByLabel('Søg (person, emne eller adresse)').fill(email);
  await page.getByRole('button', { name: 'Vis' }).click();
  await expect(page).toHaveURL(/action=sign_in&text=/);
  const rows = page.locator('table.data tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText('127.0.0.1');

  // Sign out everywhere from the account page.
  await page.getByRole('link', { name: 'Min konto' }).click();
  await page.getByRole('button', { name: 'Log ud på alle enheder' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Velkommen til Valgvagt');
});
