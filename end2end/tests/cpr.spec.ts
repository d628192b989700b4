import { expect, test } from '@playwright/test';
import { CPR_PEER_URL } from '../e2e-env';
import { adminSignInLink, checkA11y, signInWithLink } from './helpers';

type Seen = { action: string; cvr: string; pnr: string };

async function lookups(): Promise<Seen[]> {
  return (await fetch(`${CPR_PEER_URL}/seen`)).json();
}

test('the office stores a CPR number, CPR is asked over mutual TLS, and its facts decide', async ({ page }, info) => {
  // One demo person per device, so that the two runs do not meet.
  const person = info.project.name === 'phone' ? 1500 : 1501;
  await signInWithLink(page, adminSignInLink(`cpr-${info.project.name}@example.dk`));
  await page.goto(`/volunteers/${person}`);
  const card = page.locator('#cpr');
  await expect(card).toContainText('Der er ikke gemt et CPR-nummer');
  await expect(page.getByTestId('eligibility-source')).toContainText('egen erklæring');

  // A number too short: told why, nothing stored, nobody asked.
  const before = (await lookups()).length;
  await card.getByLabel('Gem CPR-nummer').fill('010180-12');
  await card.getByRole('button', { name: 'Gem', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('CPR-nummer med 10 cifre');
  await expect(card).toContainText('Der er ikke gemt et CPR-nummer');
  expect((await lookups()).length).toBe(before);

  // Stored and looked up at once: CPR has Bo living in another municipality.
  await card.getByLabel('Gem CPR-nummer').fill('010180-1234');
  await card.getByRole('button', { name: 'Gem', exact: true }).click();
  await expect(page.getByTestId('cpr-masked')).toHaveText('010180-xxxx');
  const facts = page.getByTestId('cpr-facts');
  await expect(facts).toContainText('Bo Berg');
  await expect(facts).toContainText('101');
  await expect(page.getByTestId('eligibility-source')).toContainText('afgøres ud fra CPR');
  expect(await page.content()).not.toContain('0101801234');
  const asked = (await lookups()).slice(before);
  expect(asked).toEqual([
    {
      action: 'http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonBaseDataExtended/5/PersonLookup',
      cvr: '29189846',
      pnr: '0101801234',
    },
  ]);
  await checkA11y(page, 'a person with a CPR number');

  // The whole number on its own page, then back.
  await card.getByRole('link', { name: 'Vis hele nummeret' }).click();
  await expect(page.getByTestId('cpr-whole')).toHaveText('010180-1234');
  await checkA11y(page, 'the whole CPR number');
  await page.getByRole('link', { name: 'Tilbage til personen' }).click();

  // Asked again on request.
  await card.getByRole('button', { name: 'Slå op i CPR' }).click();
  await expect.poll(async () => (await lookups()).length).toBe(before + 2);
  await expect(facts).toContainText('Bo Berg');

  // Removed: the declaration decides again.
  await card.getByRole('button', { name: 'Fjern CPR-nummer' }).click();
  await expect(card).toContainText('Der er ikke gemt et CPR-nummer');
  await expect(page.getByTestId('eligibility-source')).toContainText('egen erklæring');
});
