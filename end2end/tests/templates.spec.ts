import { expect, test } from '@playwright/test';
import { adminSignInLink, checkA11y, expectNoHorizontalScroll, signInWithLink } from './helpers';

test('a coordinator rewords a message, sees the preview as they type, and unknown fields are refused', async ({ page }, info) => {
  await signInWithLink(page, adminSignInLink(`tekster-${info.project.name}@example.dk`));
  await page.goto('/elections');
  await page.getByRole('link', { name: 'Beskedtekster – Folketingsvalg 2027' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Beskeder ved Folketingsvalg 2027');
  await page.locator('body[data-ready="true"]').waitFor();

  // Each project rewords its own message, by SMS, in English.
  const [kind, original] =
    info.project.name === 'phone'
      ? ['Vagtpåmindelse', /Reminder: \{task_type\} at \{station\}/]
      : ['Invitation udløbet', /The invitation for \{station\} on \{date\} has expired/];
  await page.getByLabel('Besked', { exact: true }).selectOption({ label: kind });
  await page.getByLabel('Kanal').selectOption({ label: 'SMS' });
  await page.getByLabel('Sprog').selectOption({ label: 'English' });
  await page.getByRole('button', { name: 'Vis teksten' }).click();
  const body = page.getByLabel('Tekst', { exact: true });
  await expect(body).toHaveValue(original);
  await expect(page.getByLabel('Emne / overskrift')).toHaveCount(0);

  const preview = page.getByRole('region', { name: 'Sådan ser den ud (med eksempler)' });
  await body.fill(`Hi {name}, see you at {station} at {start}. ${info.project.name}`);
  await expect(preview).toContainText('Hi Karen Jensen, see you at Rådhuset at 07:00.');
  await expectNoHorizontalScroll(page);
  await checkA11y(page, 'message templates');

  // A field that does not exist is flagged while typing and refused on saving.
  await body.fill('Hi {navn}');
  await expect(page.getByRole('status')).toContainText('Ukendte felter (bliver afvist): navn');
  await page.getByRole('button', { name: 'Gem' }).click();
  await expect(page.getByRole('alert')).toContainText('Teksten bruger et ukendt felt: »navn«');

  await body.fill(`Hi {name}, see you at {station}. ${info.project.name}`);
  await page.getByRole('button', { name: 'Gem' }).click();
  await expect(page.getByText('Teksten er tilpasset til dette valg.')).toBeVisible();
  await expect(page.getByRole('link', { name: `${kind} · SMS · en · Alle opgavetyper` })).toBeVisible();
  await page.getByRole('button', { name: 'Brug standardteksten igen' }).click();
  await expect(page.getByText('Standardteksten bruges.')).toBeVisible();
});

test('a coordinator writes to a volunteer; the message log shows it delivered by email', async ({ page }, info) => {
  await signInWithLink(page, adminSignInLink(`log-${info.project.name}@example.dk`));
  const volunteer = info.project.name === 'phone' ? 5 : 6;
  await page.goto(`/volunteers/${volunteer}`);
  await page.locator('body[data-ready="true"]').waitFor();
  await checkA11y(page, 'volunteer record');
  const text = `Husk madpakke (${info.project.name}).`;
  await page.getByLabel('Besked', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send besked' }).click();
  await expect(page.getByRole('status')).toHaveText('Beskeden er lagt i kø og sendes om et øjeblik.');

  await page.getByRole('link', { name: 'Se beskeder til personen' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Beskeder');
  const row = page.getByRole('row').filter({ hasText: 'Besked' }).first();
  await expect(async () => {
    await page.reload();
    await expect(row).toContainText('Leveret', { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await expect(row).toContainText('E-mail');
  await page.locator('body[data-ready="true"]').waitFor();
  await expectNoHorizontalScroll(page);
  await checkA11y(page, 'message log');
});
