import { expect, test } from '@playwright/test';
import { adminSignInLink, checkA11y, expectNoHorizontalScroll, signInWithLink } from './helpers';

const tablet = { viewport: { width: 1024, height: 768 }, hasTouch: true };

test('two coordinators on two tablets: a change on one shows on the other board within two seconds', async ({ browser }, info) => {
  // Coordinator A keeps the board open for the demo election.
  const a = await (await browser.newContext(tablet)).newPage();
  await signInWithLink(a, adminSignInLink(`tavle-a-${info.project.name}@example.dk`));
  await a.getByRole('link', { name: 'Bemanding' }).click();
  await expect(a.getByRole('heading', { level: 1 })).toHaveText('Bemanding');
  await a.getByLabel('Valg', { exact: true }).selectOption({ label: 'Folketingsvalg 2027' });
  await a.getByLabel('Dag', { exact: true }).selectOption({ label: 'tirsdag 4. maj 2027' });
  await a.getByLabel('Rækkefølge').selectOption({ label: 'Flest mangler først' });
  await a.getByRole('button', { name: 'Vis' }).click();
  await a.locator('body[data-hydrated="true"]').waitFor();
  await expect(a.locator('table.board tbody tr[data-station]')).toHaveCount(30);
  // Every cell says its numbers in words too; the colours only add to them.
  await expect(a.locator('table.board td.gap-missing').first()).toContainText('accepteret');
  await expectNoHorizontalScroll(a);
  await checkA11y(a, 'gap board');
  const row = a.locator('table.board tbody tr[data-station]').filter({ hasText: 'Rådhuset' });
  const total = row.locator('td').last();
  const before = (await total.locator('span[aria-hidden]').textContent())!;
  const seats = Number(before.split('/')[2]);

  // Coordinator B, on another tablet, adds a seat at the town hall.
  const b = await (await browser.newContext(tablet)).newPage();
  await signInWithLink(b, adminSignInLink(`tavle-b-${info.project.name}@example.dk`));
  await b
    .locator('section.card', { hasText: 'Folketingsvalg 2027' })
    .first()
    .getByRole('link', { name: 'Folketingsvalg 2027' })
    .click();
  await b.getByRole('link', { name: 'Rådhuset', exact: true }).click();
  await b.locator('body[data-hydrated="true"]').waitFor();
  const cell = b.getByLabel('Frivillige – Tilforordnet', { exact: true });
  await cell.fill(String(Number(await cell.inputValue()) + 1));
  await b.getByRole('button', { name: 'Gem pladsfordeling' }).click();
  await expect(b.getByRole('status')).toHaveText('Pladsfordelingen er gemt.');

  // A's board shows it without a reload, within two seconds.
  await expect(total.locator('span[aria-hidden]')).toHaveText(new RegExp(`/${seats + 1}$`), { timeout: 2_000 });
  await expect(row.locator('td').last()).toHaveClass(/gap-missing/);

  // The choice is remembered: the board opens with it again.
  await a.goto('/board');
  await expect(a.getByLabel('Rækkefølge')).toHaveValue('missing');
  await expect(a.getByLabel('Dag', { exact: true })).toHaveValue('2027-05-04');
  await a.context().close();
  await b.context().close();
});
