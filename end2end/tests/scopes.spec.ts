import { expect, test } from '@playwright/test';
import { adminSignInLink, checkA11y, expectNoHorizontalScroll, latestMailTo, signInByMail, signInLinkIn, signInWithLink } from './helpers';

test('an administrator gives a station manager a station; its roster opens for them and no other', async ({ browser }, info) => {
  const viewport = info.project.use.viewport ?? { width: 390, height: 844 };
  const adminContext = await browser.newContext({ viewport });
  const admin = await adminContext.newPage();
  await signInWithLink(admin, adminSignInLink(`chef-vs-${info.project.name}@example.dk`));

  const email = `valgstyrer-${info.project.name}@example.dk`;
  const name = `Vera ${info.project.name}`;
  await admin.getByRole('link', { name: 'Brugere' }).click();
  await admin.locator('body[data-ready="true"]').waitFor();
  await admin.getByLabel('Navn', { exact: true }).fill(name);
  await admin.getByLabel('E-mail', { exact: true }).fill(email);
  await admin.getByLabel('Rolle', { exact: true }).selectOption({ label: 'Valgstedsansvarlig' });
  await admin.getByRole('button', { name: 'Send invitation' }).click();
  await expect(admin.getByRole('status')).toHaveText('Invitationen er sendt.');

  // Until a station is chosen, the role opens nothing.
  await admin.reload();
  const card = admin.getByRole('listitem').filter({ has: admin.getByRole('heading', { name, exact: true }) });
  await expect(card.getByText('Ingen endnu.')).toBeVisible();
  await card.getByLabel('Tilføj afstemningssted').selectOption({ label: 'Rådhuset' });
  await card.getByRole('button', { name: `Tilføj – ${name}` }).click();
  const stations = card.getByRole('list', { name: `Afstemningssteder for ${name}` });
  await expect(stations.getByText('Rådhuset', { exact: true })).toBeVisible();
  await expectNoHorizontalScroll(admin);
  await checkA11y(admin, 'users with scopes');

  const userContext = await browser.newContext({ viewport });
  const user = await userContext.newPage();
  await user.goto(signInLinkIn(await latestMailTo(email)));
  await user.getByRole('button', { name: 'Log ind nu' }).click();
  await expect(user.getByRole('heading', { level: 1 })).toHaveText('Min konto');
  await user.getByRole('link', { name: 'Mine steder' }).click();
  await expect(user.getByRole('heading', { level: 1 })).toHaveText('Mine afstemningssteder');
  await user.getByRole('link', { name: 'Rådhuset', exact: true }).click();
  await expect(user.getByRole('heading', { level: 1 })).toHaveText('Vagtplan for Rådhuset');
  await expect(user.getByRole('heading', { level: 2, name: 'tirsdag 4. maj 2027' })).toBeVisible();
  // People on seats come with tap-to-call links.
  await expect(user.locator('a[href^="tel:+45"]').first()).toBeVisible();
  await user.locator('body[data-ready="true"]').waitFor();
  await expectNoHorizontalScroll(user);
  await checkA11y(user, 'station roster');

  // Another station's roster is refused, and the set-up pages are not theirs.
  await user.goto('/stations/2/roster');
  await expect(user.getByRole('alert')).toContainText('Du har ikke adgang');
  await expect(user.getByRole('link', { name: 'Valg', exact: true })).toHaveCount(0);

  // Each view of the roster's contact data is in the audit log.
  await admin.getByRole('link', { name: 'Revisionslog' }).click();
  await expect(admin.getByRole('row').filter({ hasText: 'Kontaktoplysninger vist' }).filter({ hasText: email }).first()).toBeVisible();
  await adminContext.close();
  await userContext.close();
});

test('a team leader sees their team, with contact data only where members shared it', async ({ page }, info) => {
  // The demo has a team leader for every team; each project takes its own.
  const email = info.project.name === 'phone' ? 'holdleder.a@korsbaek.example' : 'holdleder.v@korsbaek.example';
  const team = info.project.name === 'phone' ? 'Socialdemokratiet' : 'Venstre';
  await signInByMail(page, email);
  await page.getByRole('link', { name: 'Mine teams' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mine teams');
  await page.getByRole('link', { name: team, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Medlemmer af ${team}`);
  await expect(page.getByText('Telefon og e-mail vises kun for medlemmer')).toBeVisible();
  const members = page.locator('.member-list > li');
  expect(await members.count()).toBeGreaterThan(10);
  await expect(members.filter({ hasText: 'Telefon og e-mail er ikke delt med dig.' }).first()).toBeVisible();
  await expect(members.filter({ has: page.locator('a[href^="tel:"]') }).first()).toBeVisible();
  await expect(members.filter({ hasText: 'Accepteret' }).first()).toBeVisible();
  await page.locator('body[data-ready="true"]').waitFor();
  await expectNoHorizontalScroll(page);
  await checkA11y(page, 'team members');

  // Taking someone without shifts off the team.
  const before = await members.count();
  const idle = members.filter({ hasText: 'Ingen vagter.' }).first();
  await idle.getByText('Fjern fra team').click();
  await idle.getByRole('button', { name: 'Ja, fjern' }).click();
  await expect(members).toHaveCount(before - 1);

  // Another team's page is refused.
  await page.goto('/teams/2/members');
  await expect(page.getByRole('alert')).toContainText('Du har ikke adgang');
});
