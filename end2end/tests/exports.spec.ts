import { expect, test } from '@playwright/test';
import * as fs from 'node:fs';
import { adminSignInLink, checkA11y, signInWithLink } from './helpers';

test('the office takes the Valg Central file and the payroll totals, and keeps a payroll number', async ({ page }, info) => {
  await signInWithLink(page, adminSignInLink(`filer-${info.project.name}@example.dk`));
  await page.goto('/lists');
  await page.locator('body[data-ready="true"]').waitFor();
  // The demo election (other tests add elections of their own).
  await page.getByLabel('Valg', { exact: true }).selectOption({ label: 'Folketingsvalg 2027' });
  await page.getByRole('button', { name: 'Vis', exact: true }).click();
  await expect(page).toHaveURL(/election=/);
  await page.locator('body[data-ready="true"]').waitFor();
  await expect(page.getByTestId('payroll-totals')).toContainText(/Løn i alt: \d+ kr\. for \d+ vagter til \d+ personer/);
  await checkA11y(page, 'the participant list with its files');

  // The file for the election system, with the default columns.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Valg Central (CSV)' }).first().click(),
  ]);
  expect(download.suggestedFilename()).toBe('valg-central.csv');
  const lines = fs.readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
  expect(lines[0]).toBe('Afstemningsområde nr.;Afstemningssted;Navn;Cpr-nr./fødselsdato;Funktion');
  expect(lines.length).toBeGreaterThan(10);
  // Without being asked for numbers it carries birth dates.
  expect(lines[1]).toMatch(/^\d+;[^;]+;[^;]+;\d\d-\d\d-\d{4};[^;]+$/);
  await expect(page.getByText('Med cpr-numre:')).toBeVisible();

  // A payroll number on a person's page.
  const person = info.project.name === 'phone' ? 1510 : 1511;
  await page.goto(`/volunteers/${person}`);
  const card = page.locator('#payroll');
  await card.getByLabel('Lønnummer').fill('a b');
  await card.getByRole('button', { name: 'Gem lønnummer' }).click();
  await expect(page.getByRole('alert')).toContainText('højst have 32 tegn');
  await card.getByLabel('Lønnummer').fill(`MA-${person}`);
  await card.getByRole('button', { name: 'Gem lønnummer' }).click();
  await expect(page.locator('#payroll').getByLabel('Lønnummer')).toHaveValue(`MA-${person}`);
  await checkA11y(page, 'a person with a payroll number');
});
