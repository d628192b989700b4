import { expect, test } from '@playwright/test';
import { adminSignInLink, checkA11y, latestMailTo, signInWithLink } from './helpers';

test('the office imports volunteers from a CSV file: a bad row is named and nothing stored until it is fixed', async ({ page }, info) => {
  await signInWithLink(page, adminSignInLink(`import-${info.project.name}@example.dk`));
  await page.getByRole('link', { name: 'Teams', exact: true }).click();
  await page.getByRole('link', { name: 'Importér frivillige fra CSV' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Importér frivillige');
  await page.locator('body[data-ready="true"]').waitFor();
  const who = info.project.name;
  const good = `Anna Import;anna.${who}@import.example;20405060;12-05-1985;Skolevej 1;4200;Korsbæk;ja;dansk;nej`;
  const bad = `Bent Import;bent.${who}@import.example;123;1985-05-12;Skolevej 2;4200;Korsbæk;ja;dansk;nej`;
  const heading = 'Navn;E-mail;Telefon;Fødselsdato;Adresse;Postnr;By;Bor i kommunen;Statsborgerskab;Værgemål';
  await page.getByLabel('CSV-fil').setInputFiles({
    name: 'frivillige.csv',
    mimeType: 'text/csv',
    // Saved by Danish Excel: Windows-1252, not UTF-8.
    buffer: Buffer.from(`${heading}\n${good}\n${bad}\n`, 'latin1'),
  });
  await expect(page.getByLabel('Indholdet af filen')).toHaveValue(/Fødselsdato[\s\S]*Bent Import/);
  await page.getByLabel('Sæt dem på holdet').selectOption({ label: 'Frivillige' });
  await page.getByRole('button', { name: 'Vis forhåndsvisning' }).click();
  await expect(page.getByRole('alert')).toContainText('1 af 2 rækker har fejl');
  const row = page.locator('table.data tbody tr').filter({ hasText: 'Bent Import' });
  await expect(row).toContainText('Mobilnummer');
  await expect(page.getByRole('button', { name: /Importér \d+ frivillige/ })).toHaveCount(0);
  await checkA11y(page, 'import preview');

  await page.getByLabel('Indholdet af filen').fill(`${heading}\n${good}\n${bad.replace(';123;', ';20405061;')}\n`);
  await page.getByRole('button', { name: 'Vis forhåndsvisning' }).click();
  await expect(page.getByText('Alle 2 rækker er i orden.')).toBeVisible();
  await page.getByRole('button', { name: 'Importér 2 frivillige' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'importeret' })).toHaveText('2 frivillige er importeret.');
});

test('the office sends a message to the people on a filtered list, after a preview of who gets it how', async ({ page }, info) => {
  await signInWithLink(page, adminSignInLink(`gruppe-${info.project.name}@example.dk`));
  await page.getByRole('link', { name: 'Lister' }).click();
  await page.locator('body[data-ready="true"]').waitFor();
  await page.getByLabel('Valg', { exact: true }).selectOption({ label: 'Folketingsvalg 2027' });
  await page.getByRole('combobox', { name: 'Status', exact: true }).selectOption({ label: 'Accepteret' });
  await page.getByRole('combobox', { name: 'Afstemningssted', exact: true }).selectOption({ index: info.project.name === 'phone' ? 5 : 6 });
  await page.getByRole('checkbox', { name: 'E-mail', exact: true }).check();
  await page.getByRole('button', { name: 'Vis', exact: true }).click();
  await page.locator('body[data-ready="true"]').waitFor();
  const rows = page.locator('table.data tbody tr');
  await expect(rows.first()).toContainText('@');
  const count = await rows.count();
  const emailColumn = await page.locator('table.data thead th').allTextContents();
  const email = (await rows.first().locator('td').nth(emailColumn.indexOf('E-mail')).textContent())!;

  // Writing to them is a page of its own, with the list's filters.
  await page.getByRole('link', { name: 'Send en besked til disse personer' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Send en besked til disse personer');
  await page.locator('body[data-ready="true"]').waitFor();
  await page.getByLabel('Besked', { exact: true }).fill(`Husk madpakke (${info.project.name})`);
  await page.getByRole('button', { name: 'Se modtagere' }).click();
  const preview = page.locator('.group-preview');
  await expect(preview).toContainText('modtagere');
  await expect(preview).toContainText('får den som e-mail');
  await expect(preview.locator('pre')).toContainText(`Husk madpakke (${info.project.name})`);
  await checkA11y(page, 'group message preview');
  const recipients = Number((await preview.locator('strong').textContent())!.split(' ')[0]);
  expect(recipients).toBeGreaterThan(0);
  expect(recipients).toBeLessThanOrEqual(count);
  await page.getByRole('button', { name: `Send til ${recipients} personer` }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Beskeden er sendt' })).toHaveText(
    `Beskeden er sendt til ${recipients} personer.`,
  );
  await expect
    .poll(async () => (await latestMailTo(email)).text, { timeout: 10_000 })
    .toContain(`Husk madpakke (${info.project.name})`);
});
