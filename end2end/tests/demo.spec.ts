import { expect, test, type Page } from '@playwright/test';
import { adminSignInLink, checkA11y, expectNoHorizontalScroll, signInWithLink } from './helpers';

// The demo municipality, as a newcomer walks it after the README's run
// command: in Danish, on a phone and on a tablet.

async function signIn(page: Page, email: string) {
  await signInWithLink(page, adminSignInLink(email));
}

async function checkPage(page: Page, label: string) {
  await page.locator('body[data-ready="true"]').waitFor();
  await expectNoHorizontalScroll(page);
  await checkA11y(page, label);
}

test('the demo election is staffed and can be walked', async ({ page }, info) => {
  await signIn(page, `demo-${info.project.name}@example.dk`);

  // The front page summarises the active election.
  const card = page.locator('section.card', { hasText: 'Folketingsvalg 2027' });
  await expect(card).toBeVisible();
  await expect(card).toContainText('tirsdag 4. maj 2027');
  // 2000 from the demo, and any newcomers other tests signed up.
  const registered = await page.getByText(/\d+ frivillige er registreret\./).textContent();
  expect(Number(registered!.match(/\d+/)![0])).toBeGreaterThanOrEqual(2000);
  await checkPage(page, 'demo front page');

  // All 30 polling stations, with seats in every state.
  await card.getByRole('link', { name: 'Folketingsvalg 2027' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Folketingsvalg 2027');
  await expect(page.locator('table.data tbody tr')).toHaveCount(30);
  for (const label of ['Accepteret', 'Afventer svar', 'Ledige']) {
    const value = page.locator('.stat', { hasText: label }).locator('.stat-value');
    await expect(value).not.toHaveText('0');
  }
  await checkPage(page, 'demo election seats');

  // The town hall's plan on election day: ten teams, six task types.
  await page.getByRole('link', { name: 'Rådhuset', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pladsfordeling: Rådhuset');
  // Ten demo teams (the set-up test may have added its own).
  await expect(page.getByRole('rowheader', { name: 'Socialdemokratiet' })).toBeVisible();
  expect(await page.locator('table.matrix tbody tr').count()).toBeGreaterThanOrEqual(10);
  await expect(page.getByLabel('Borgerservice – Valgstyrer', { exact: true })).toHaveValue('2');
  await checkPage(page, 'demo seat plan');

  // The recount the day after, also at the town hall.
  await page.getByRole('link', { name: '5.5.2027' }).click();
  await expect(page.getByLabel('Frivillige – Fintæller', { exact: true })).toHaveValue('12');

  // Set-up lists are filled.
  await page.getByRole('link', { name: 'Opgavetyper' }).click();
  await expect(page.getByRole('row', { name: /Valgstyrerformand/ })).toContainText('Betroet opgave');
  await checkPage(page, 'demo task types');
  await page.getByRole('link', { name: 'Teams' }).click();
  await expect(page.getByRole('row', { name: /Socialdemokratiet/ })).toBeVisible();
  await checkPage(page, 'demo teams');
  await page.getByRole('link', { name: 'Valgtyper' }).click();
  await expect(page.getByRole('cell', { name: 'Europa-Parlamentsvalg', exact: true })).toBeVisible();
  await checkPage(page, 'demo election types');
});

test('lowering a count below the accepted seats is refused with the reason', async ({ page }, info) => {
  await signIn(page, `demo-${info.project.name}@example.dk`);
  await page.goto('/elections');
  await page.getByRole('link', { name: 'Folketingsvalg 2027', exact: true }).click();
  await page.getByRole('link', { name: 'Rådhuset', exact: true }).click();
  await page.locator('body[data-ready="true"]').waitFor();
  // Find a cell with accepted seats and try to go to zero.
  const status = page.locator('.cell-status').filter({ hasText: /^[1-9]\d* acc\./ }).first();
  const input = status.locator('xpath=preceding-sibling::input');
  const before = await input.inputValue();
  await input.fill('0');
  await page.getByRole('button', { name: 'Gem pladsfordeling' }).click();
  await expect(page.getByRole('alert')).toContainText('Antallet kan ikke sættes under de');
  await page.reload();
  await expect(page.locator('.cell-status').filter({ hasText: /^[1-9]\d* acc\./ }).first().locator('xpath=preceding-sibling::input')).toHaveValue(before);
});
