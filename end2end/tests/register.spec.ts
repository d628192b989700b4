import { expect, test } from '@playwright/test';
import { adminSignInLink, checkA11y, expectNoHorizontalScroll, signInByMail, signInWithLink } from './helpers';

const tablet = { viewport: { width: 1024, height: 768 }, hasTouch: true };

test('the office deactivates two people, takes one back, then deletes both after a preview', async ({ browser }, info) => {
  test.setTimeout(120_000);
  const who = info.project.name;
  const people = ['Rikke', 'Sune'].map((first, i) => ({
    name: `${first} Fjern`,
    email: `${first.toLowerCase()}.${who}@fjern.example`,
    phone: `+45${who === 'phone' ? '3171' : '3172'}000${i}`,
  }));
  const office = await (await browser.newContext(tablet)).newPage();
  await signInWithLink(office, adminSignInLink(`fjern-${who}@example.dk`));
  await office.goto('/volunteers/import');
  await office.locator('body[data-ready="true"]').waitFor();
  const heading = 'Navn;E-mail;Telefon;Fødselsdato;Adresse;Postnr;By;Bor i kommunen;Statsborgerskab;Værgemål';
  const rows = people.map((p) => `${p.name};${p.email};${p.phone};1975-05-06;Skolevej 9;4200;Korsbæk;ja;dansk;nej`);
  await office.getByLabel('Indholdet af filen').fill(`${heading}\n${rows.join('\n')}\n`);
  await office.getByRole('button', { name: 'Vis forhåndsvisning' }).click();
  await office.getByRole('button', { name: 'Importér 2 frivillige' }).click();
  await expect(office.getByRole('status').filter({ hasText: 'importeret' })).toHaveText('2 frivillige er importeret.');

  // Both chosen in the register; the preview says what happens before anything does.
  const search = `/volunteers?q=${encodeURIComponent(`.${who}@fjern`)}`;
  await office.goto(search);
  await expect(office.getByTestId('register-total')).toHaveText('2 personer');
  for (const p of people) await office.getByRole('checkbox', { name: `Vælg ${p.name}` }).check();
  await office.getByRole('button', { name: 'Deaktivér valgte' }).click();
  await expect(office.getByRole('heading', { level: 1 })).toHaveText('Deaktivér personer');
  await expect(office.getByTestId('removal-summary')).toHaveText('2 valgt: 0 pladser bliver ledige.');
  await checkA11y(office, 'deactivation preview');
  await office.getByRole('button', { name: 'Deaktivér 2' }).click();
  await expect(office.getByRole('status').filter({ hasText: 'deaktiveret' })).toHaveText('2 personer er deaktiveret.');
  await office.goto(`${search}&active=no`);
  await expect(office.getByTestId('register-total')).toHaveText('2 personer');
  await expect(office.locator('table.data tbody .badge')).toHaveCount(2);

  // Rikke is taken back from her page.
  await office.getByRole('link', { name: people[0].name }).click();
  await expect(office.getByTestId('deactivated')).toContainText('Deaktiveret siden');
  await office.getByRole('link', { name: 'Aktivér', exact: true }).click();
  await expect(office.getByTestId('removal-summary')).toHaveText('1 valgt.');
  await office.getByRole('button', { name: 'Aktivér 1' }).click();
  await expect(office.getByRole('heading', { level: 1 })).toHaveText(people[0].name);
  await expect(office.getByTestId('deactivated')).toHaveCount(0);

  // Both deleted at once: no paid shifts, so nothing of them stays.
  await office.goto(search);
  for (const p of people) await office.getByRole('checkbox', { name: `Vælg ${p.name}` }).check();
  await office.getByRole('button', { name: 'Slet valgte' }).click();
  await expect(office.getByTestId('removal-summary')).toHaveText('2 valgt: 2 slettes helt, 0 anonymiseres, og 0 pladser bliver ledige.');
  await checkA11y(office, 'deletion preview');
  await office.getByRole('button', { name: 'Slet 2' }).click();
  await expect(office.getByRole('status').filter({ hasText: 'slettet' })).toHaveText('2 personer er slettet.');
  await office.goto(search);
  await expect(office.getByTestId('register-total')).toHaveText('0 personer');
  await office.context().close();
});

test('a team leader sees the team seats at every station and invites a member to an open one', async ({ page }, info) => {
  test.setTimeout(90_000);
  // Each project its own party, apart from the other specs' leaders.
  const email = info.project.name === 'phone' ? 'holdleder.c@korsbaek.example' : 'holdleder.f@korsbaek.example';
  const team = info.project.name === 'phone' ? 'Det Konservative Folkeparti' : 'SF – Socialistisk Folkeparti';
  await signInByMail(page, email);
  await page.getByRole('link', { name: 'Mine teams' }).click();
  await page.getByRole('link', { name: 'Holdets pladser på alle valgsteder' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Pladser for ${team}`);
  const total = page.getByTestId('team-open');
  const open = Number((await total.textContent())!.match(/^(\d+)/)![1]);
  expect(open).toBeGreaterThan(0);
  await page.locator('body[data-ready="true"]').waitFor();
  await expectNoHorizontalScroll(page);
  await checkA11y(page, 'team seats');

  await page.getByRole('link', { name: /^Invitér til / }).first().click();
  const form = page.locator('#invite');
  await expect(form.getByRole('heading', { level: 2 })).toContainText('Invitér til');
  const member = form.getByLabel('Medlem');
  const free = member.locator('option').filter({ hasNotText: 'har allerede en vagt' }).first();
  await member.selectOption(await free.getAttribute('value'));
  await checkA11y(page, 'inviting a member');
  await form.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'sendt' })).toHaveText('Invitationen er sendt.');
  await expect(total).toHaveText(`${open - 1} ledige pladser i alt`);
});
