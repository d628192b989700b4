import { expect, test } from '@playwright/test';
import { adminSignInLink, checkA11y, expectNoHorizontalScroll, latestMailTo, signInLinkIn } from './helpers';

// Passkeys in Debian Chromium with the DevTools virtual authenticator
// standing in for the phone's or tablet's screen lock.

test('make a passkey after the emailed link, then sign in with it alone', async ({ page }, info) => {
  const email = `nøgle-${info.project.name}@example.dk`.replace('ø', 'oe');
  adminSignInLink(email);

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });

  // First sign-in: a link by email.
  await page.goto('/signin');
  await page.locator('body[data-ready="true"]').waitFor();
  await page.getByLabel('E-mail').fill(email);
  await page.getByRole('button', { name: 'Send mig et link' }).click();
  await expect(page.getByRole('status')).toBeVisible();
  await page.goto(signInLinkIn(await latestMailTo(email)));
  await page.getByRole('button', { name: 'Log ind nu' }).click();

  // Without a passkey, the account page comes first and offers one.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Min konto');
  await page.locator('body[data-ready="true"]').waitFor();
  await expect(page.getByText('Du har ingen adgangsnøgler endnu.')).toBeVisible();
  await expectNoHorizontalScroll(page);
  await checkA11y(page, 'account without passkeys');
  await page.getByLabel('Navn på enheden').fill(`Test-${info.project.name}`);
  await page.getByRole('button', { name: 'Opret adgangsnøgle på denne enhed' }).click();
  await expect(page.getByRole('status')).toHaveText('Adgangsnøglen er oprettet. Næste gang kan du logge ind med den.');
  await expect(page.getByRole('heading', { level: 3, name: `Test-${info.project.name}` })).toBeVisible();
  await expect(page.getByText('ikke brugt endnu')).toBeVisible();
  await checkA11y(page, 'account with a passkey');
  // The device holds one discoverable credential: no user name is needed later.
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0].isResidentCredential).toBe(true);

  // Sign out, and back in with nothing but the passkey.
  await page.getByRole('button', { name: 'Log ud', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Velkommen til Valgvagt');
  await page.goto('/signin');
  await page.locator('body[data-ready="true"]').waitFor();
  await page.getByRole('button', { name: 'Log ind med adgangsnøgle' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hej Administrator');

  // The account page now shows when it was used.
  await page.getByRole('link', { name: 'Min konto' }).click();
  await expect(page.getByText(/sidst brugt/)).toBeVisible();
});
