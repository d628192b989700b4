import { expect, test } from '@playwright/test';
import { adminSignInLink, checkA11y, signInWithLink } from './helpers';

test('an administrator publishes a new privacy text; readers get it, and the old one stays readable', async ({ browser, page }, info) => {
  test.skip(info.project.name !== 'tablet', 'administrators work on tablets');
  await signInWithLink(page, adminSignInLink('privatliv@example.dk'));
  await page.goto('/admin/privacy');
  await page.locator('body[data-ready="true"]').waitFor();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tekst om behandling af personoplysninger');
  const inForce = (await page.getByText(/^Gældende version: /).textContent())!;
  const previous = inForce.replace('Gældende version: ', '').replace(/\.$/, '');

  // The fields hold the text in force; the new version adds a paragraph.
  const danish = page.getByLabel('Tekst på dansk');
  await expect(danish).toHaveValue(/Korsbæk Kommune er dataansvarlig/);
  await danish.fill(`Spørgsmål om dine oplysninger besvarer valgkontoret.\n\n${await danish.inputValue()}`);
  await page.getByLabel('Version', { exact: true }).fill('e2e-2027-1');
  await checkA11y(page, 'privacy text, before publishing');
  await page.getByRole('button', { name: 'Offentliggør versionen' }).click();
  await expect(page.getByRole('status')).toHaveText('Den nye version er offentliggjort og gælder fra nu.');
  await expect(page.getByText('Gældende version: e2e-2027-1.')).toBeVisible();
  const versions = page.getByRole('region', { name: 'Alle versioner' });
  await expect(versions.getByRole('link', { name: 'e2e-2027-1' })).toBeVisible();
  await expect(versions.getByRole('link', { name: previous })).toBeVisible();

  // A name is used once: a clear error, and the version in force stays.
  await page.getByLabel('Version', { exact: true }).fill('e2e-2027-1');
  await page.getByRole('button', { name: 'Offentliggør versionen' }).click();
  await expect(page.getByRole('alert')).toContainText('Version');
  await expect(page.getByRole('alert')).toContainText('i brug');
  await checkA11y(page, 'privacy text, refused');

  // Anyone reads the new text; the old one is still there, marked as such.
  const reader = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })).newPage();
  await reader.goto('/privacy');
  await expect(reader.getByText('Spørgsmål om dine oplysninger besvarer valgkontoret.')).toBeVisible();
  await expect(reader.getByText(/^Version e2e-2027-1/)).toBeVisible();
  await reader.goto(`/privacy?version=${previous}`);
  await expect(reader.getByText(`Det er version ${previous}, som ikke længere gælder.`)).toBeVisible();
  await expect(reader.getByText('Spørgsmål om dine oplysninger')).toHaveCount(0);
  await checkA11y(reader, 'an older privacy text');
  await reader.context().close();
});
