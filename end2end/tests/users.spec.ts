import { expect, test } from '@playwright/test';
import { adminSignInLink, checkA11y, expectNoHorizontalScroll, latestMailTo, signInLinkIn, signInWithLink } from './helpers';

test('an administrator invites someone and grants a role; the role opens its pages for them', async ({ browser }, info) => {
  const viewport = info.project.use.viewport ?? { width: 390, height: 844 };
  const adminContext = await browser.newContext({ viewport });
  const admin = await adminContext.newPage();
  await signInWithLink(admin, adminSignInLink(`chef-${info.project.name}@example.dk`));

  await admin.getByRole('link', { name: 'Brugere' }).click();
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText('Brugere og roller');
  await admin.locator('body[data-ready="true"]').waitFor();
  await expectNoHorizontalScroll(admin);
  await checkA11y(admin, 'users');

  // Invite as a volunteer: no planning pages yet.
  const email = `rolle-${info.project.name}@example.dk`;
  const name = `Rolf ${info.project.name}`;
  await admin.getByLabel('Navn', { exact: true }).fill(name);
  await admin.getByLabel('E-mail', { exact: true }).fill(email);
  await admin.getByLabel('Rolle', { exact: true }).selectOption({ label: 'Frivillig' });
  await admin.getByRole('button', { name: 'Send invitation' }).click();
  await expect(admin.getByRole('status')).toHaveText('Invitationen er sendt.');

  const userContext = await browser.newContext({ viewport });
  const user = await userContext.newPage();
  const mail = await latestMailTo(email);
  expect(mail.text).toContain('Du er inviteret til Valgvagt');
  await user.goto(signInLinkIn(mail));
  await user.getByRole('button', { name: 'Log ind nu' }).click();
  await expect(user.getByRole('heading', { level: 1 })).toHaveText('Min konto');
  await expect(user.getByRole('link', { name: 'Valg', exact: true })).toHaveCount(0);

  // The administrator makes them a coordinator …
  await admin.reload();
  const card = admin.getByRole('listitem').filter({ has: admin.getByRole('heading', { name, exact: true }) });
  await card.getByLabel(`Ny rolle til ${name}`).selectOption({ label: 'Koordinator' });
  await card.getByRole('button', { name: 'Tildel' }).click();
  await expect(card.getByText('Koordinator', { exact: true })).toBeVisible();

  // … and the planning pages appear for them.
  await user.reload();
  await user.getByRole('link', { name: 'Valg', exact: true }).click();
  await expect(user.getByRole('heading', { level: 1 })).toHaveText('Valg');
  await expect(user.getByRole('link', { name: 'Folketingsvalg 2027', exact: true })).toBeVisible();

  // The grant is in the audit log.
  await admin.getByRole('link', { name: 'Revisionslog' }).click();
  await expect(admin.getByRole('row').filter({ hasText: 'Rolle tildelt' }).first()).toBeVisible();
  await adminContext.close();
  await userContext.close();
});
