import { expect, test, type Page } from '@playwright/test';
import { checkA11y, expectNoHorizontalScroll, latestMailTo, mailsTo, shiftLinkToNewSeat, type CaughtMail } from './helpers';

const phoneSize = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** Step 1 of the newcomer's form. */
async function fillDetails(page: Page, name: string, email: string): Promise<void> {
  await page.getByLabel('Navn', { exact: true }).fill(name);
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByLabel('Mobilnummer', { exact: true }).fill('20 30 40 50');
  await page.getByLabel('Fødselsdato', { exact: true }).fill('1990-05-04');
  await page.getByLabel('Adresse', { exact: true }).fill('Storegade 1');
  await page.getByLabel('Postnummer', { exact: true }).fill('4100');
  await page.getByLabel('By', { exact: true }).fill('Korsbæk');
  await page.getByRole('group', { name: 'Bor du i Korsbæk Kommune?' }).getByLabel('Ja').check();
  await page.getByRole('group', { name: 'Hvilket statsborgerskab har du?' }).getByLabel('Dansk').check();
  await page.getByRole('group', { name: /Er du under værgemål/ }).getByLabel('Nej').check();
}

/** The link in the newcomer's mail, with where it goes on to. */
function confirmLinkIn(mail: CaughtMail): string {
  const match = mail.text.match(/https?:\/\/\S+\/signin\/[0-9a-f]+(\?next=\S+)?/);
  if (!match) throw new Error(`no link in mail: ${mail.text}`);
  return match[0];
}

/** After step 2: the link mailed to `email` proves it and goes on to step 3. */
async function confirmByMail(page: Page, email: string): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bekræft din e-mail');
  await expect(page.getByRole('status')).toContainText(email);
  await page.goto(confirmLinkIn(await latestMailTo(email)));
  await page.getByRole('button', { name: 'Log ind nu' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Velkommen som frivillig');
}

test('a newcomer follows a shift link, confirms the address, makes a passkey, gets the seat and its calendar file', async ({ browser }, info) => {
  const tag = `${info.project.name}-a`;
  const { station, path } = await shiftLinkToNewSeat(browser, info.project.name === 'phone' ? 10 : 11, tag);

  const context = await browser.newContext(phoneSize);
  const phone = await context.newPage();
  const cdp = await context.newCDPSession(phone);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });

  await phone.goto(path);
  await phone.locator('body[data-ready="true"]').waitFor();
  const card = phone.locator('.roster-line').filter({ hasText: 'Brevstemmemodtager' });
  await expect(card).toHaveCount(1);
  await expect(card).toContainText('1 ledige');
  await expect(card).toContainText('tirsdag 4. maj 2027');
  await expectNoHorizontalScroll(phone);
  await checkA11y(phone, 'shift link, newcomer');
  await card.getByRole('link', { name: /Tag vagten/ }).click();

  // Step 1: details; the wasm shows one step at a time.
  await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Bliv frivillig');
  await phone.locator('body[data-ready="true"]').waitFor();
  await expect(phone.getByText('Du er ved at tage denne vagt:')).toBeVisible();
  await expect(phone.getByRole('heading', { name: 'Trin 2 af 3: Dine oplysninger hos kommunen' })).toBeHidden();
  // Nothing missing may pass on to step 2.
  await phone.getByRole('button', { name: 'Næste' }).click();
  await expect(phone.getByRole('heading', { name: 'Trin 1 af 3: Dine oplysninger' })).toBeVisible();
  const email = `nyfrivillig-${tag}@example.dk`;
  await fillDetails(phone, 'Sofie Hansen', email);
  await checkA11y(phone, 'newcomer step 1');
  await phone.getByRole('button', { name: 'Næste' }).click();

  // Step 2: the privacy text and consent.
  await expect(phone.getByRole('heading', { name: 'Trin 2 af 3: Dine oplysninger hos kommunen' })).toBeVisible();
  await expect(phone.getByText('Korsbæk Kommune er dataansvarlig')).toBeVisible();
  // The version in force (privacy.spec.ts may have published a new one).
  await expect(phone.getByText(/^Version [\w.-]+$/)).toBeVisible();
  await expectNoHorizontalScroll(phone);
  await checkA11y(phone, 'newcomer step 2');
  await phone.getByLabel(/Jeg har læst teksten og giver samtykke/).check();
  await phone.getByRole('button', { name: 'Opret mig' }).click();

  // The seat is held until the mailed link proves the address; no session before.
  await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Bekræft din e-mail');
  await expect(phone.getByText('Vagten er holdt til dig til')).toBeVisible();
  await checkA11y(phone, 'newcomer confirms the address');
  await expect(phone.getByRole('button', { name: 'Log ud', exact: true })).toHaveCount(0);
  await confirmByMail(phone, email);

  // Step 3: the seat is theirs; a passkey for next time.
  await expect(phone.getByText('Du har fået vagten.')).toBeVisible();
  await expect(phone.getByRole('heading', { name: 'Trin 3 af 3: Log ind næste gang' })).toBeVisible();
  await checkA11y(phone, 'newcomer step 3');
  await phone.getByRole('button', { name: 'Opret adgangsnøgle på denne enhed' }).click();

  // On to my shifts, with the seat accepted and a calendar file.
  await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Mine vagter');
  const shift = phone.locator('.roster-line').filter({ hasText: 'Brevstemmemodtager' });
  await expect(shift).toContainText('Accepteret');
  await expect(shift).toContainText(station);
  const [download] = await Promise.all([
    phone.waitForEvent('download'),
    shift.getByRole('link', { name: /Føj til kalender/ }).click(),
  ]);
  const text = require('node:fs').readFileSync(await download.path(), 'utf8') as string;
  expect(text).toContain('BEGIN:VCALENDAR');
  expect(text).toContain('SUMMARY:Brevstemmemodtager');
  // A confirmation was sent by email (no push on this phone yet).
  await expect
    .poll(async () => (await mailsTo(email)).map((m) => m.subject))
    .toContainEqual(expect.stringContaining('Bekræftelse: Brevstemmemodtager'));

  // The passkey signs them in again, with nothing typed.
  await phone.getByRole('button', { name: 'Log ud', exact: true }).click();
  await phone.goto('/signin');
  await phone.locator('body[data-ready="true"]').waitFor();
  await phone.getByRole('button', { name: 'Log ind med adgangsnøgle' }).click();
  await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Hej Sofie Hansen');
  await context.close();
});

test('without JavaScript a newcomer signs up and cancels; the first on standby is offered the seat and takes it', async ({ browser }, info) => {
  const tag = `${info.project.name}-b`;
  const { station, path } = await shiftLinkToNewSeat(browser, info.project.name === 'phone' ? 12 : 13, tag);

  // A: a slow phone without JavaScript; the two steps are one plain form.
  const slow = await (await browser.newContext({ ...phoneSize, javaScriptEnabled: false })).newPage();
  await slow.goto(path);
  await slow.getByRole('link', { name: /Tag vagten/ }).click();
  await expect(slow.getByRole('heading', { name: 'Trin 2 af 3: Dine oplysninger hos kommunen' })).toBeVisible();
  await fillDetails(slow, 'Anders Uden', `uden-${tag}@example.dk`);
  await slow.getByLabel(/Jeg har læst teksten og giver samtykke/).check();
  // Both steps in one form, with no step buttons that need the wasm.
  await expect(slow.getByRole('button', { name: 'Næste' })).toBeHidden();
  await slow.getByRole('button', { name: 'Opret mig' }).click();
  await confirmByMail(slow, `uden-${tag}@example.dk`);
  await expect(slow.getByText('Du har fået vagten.')).toBeVisible();
  await slow.getByRole('link', { name: 'Gå til mine vagter' }).click();
  const held = slow.locator('.roster-line').filter({ hasText: 'Brevstemmemodtager' });
  await expect(held).toContainText('Accepteret');

  // B: the seat is gone, so B signs up onto the standby list.
  const context = await browser.newContext(phoneSize);
  const waiting = await context.newPage();
  await waiting.goto(path);
  await waiting.locator('body[data-ready="true"]').waitFor();
  const full = waiting.locator('.roster-line').filter({ hasText: 'Brevstemmemodtager' });
  await expect(full).toContainText('Alle pladser er taget · 0 på venteliste');
  await checkA11y(waiting, 'shift link, full');
  await full.getByRole('link', { name: /Skriv mig på ventelisten/ }).click();
  await signUpWithSteps(waiting, 'Bente Venter', `venter-${tag}@example.dk`);
  await confirmByMail(waiting, `venter-${tag}@example.dk`);
  await expect(waiting.getByText('du er skrevet på ventelisten som nr. 1')).toBeVisible();
  await waiting.getByRole('link', { name: 'Gå til mine vagter' }).click();
  await expect(waiting.getByRole('heading', { level: 2, name: 'Ventelister' })).toBeVisible();
  await expect(waiting.locator('.roster-line').filter({ hasText: 'Venteliste nr. 1' })).toContainText(station);
  await checkA11y(waiting, 'my shifts with a standby place');

  // A cancels, still without JavaScript: the seat goes to B at once.
  await held.getByText('Afmeld vagten').click();
  await held.getByRole('button', { name: 'Ja, afmeld' }).click();
  await expect(slow.getByRole('heading', { level: 1 })).toHaveText('Mine vagter');
  await expect(slow.locator('.roster-line').filter({ hasText: 'Brevstemmemodtager' })).toHaveCount(0);
  const offer = await latestMailTo(`venter-${tag}@example.dk`, 2);
  expect(offer.subject).toBe('Fra ventelisten: Brevstemmemodtager ved Folketingsvalg 2027');
  expect(offer.text).toContain('du er den første på ventelisten');

  await waiting.reload();
  const offered = waiting.locator('.roster-line').filter({ hasText: 'Inviteret' });
  await expect(offered).toContainText(station);
  await expect(offered).toContainText('Svar senest');
  await expect(waiting.getByRole('heading', { level: 2, name: 'Ventelister' })).toHaveCount(0);
  await offered.getByRole('button', { name: 'Ja tak' }).click();
  await expect(waiting.locator('.roster-line').filter({ hasText: station })).toContainText('Accepteret');

  // A leaves for good: the account and its details are deleted.
  await slow.goto('/profile');
  await slow.getByText('Slet min konto', { exact: true }).last().click();
  await slow.getByLabel('Ja, jeg vil slette min konto og mine oplysninger.').check();
  await slow.getByRole('button', { name: 'Slet nu' }).click();
  await expect(slow.getByText('Din konto er slettet. Tak for din hjælp.')).toBeVisible();
  await expect(slow.getByRole('link', { name: 'Log ind' })).toBeVisible();
  await slow.context().close();
  await context.close();
});

/** Steps 1 and 2 with the wasm loaded, ending where the mail is awaited. */
async function signUpWithSteps(page: Page, name: string, email: string): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bliv frivillig');
  await page.locator('body[data-ready="true"]').waitFor();
  await fillDetails(page, name, email);
  await page.getByRole('button', { name: 'Næste' }).click();
  await page.getByLabel(/Jeg har læst teksten og giver samtykke/).check();
  await page.getByRole('button', { name: 'Opret mig' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bekræft din e-mail');
}
