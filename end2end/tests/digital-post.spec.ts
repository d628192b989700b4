import { expect, test } from '@playwright/test';
import { CPR_PEER_URL } from '../e2e-env';
import { adminSignInLink, checkA11y, onTheirPhone, signInWithLink } from './helpers';

type Letter = { cpr: string; label: string; sender: string; html: string; transmissionId: string };

async function lettersTo(cpr: string): Promise<Letter[]> {
  const all: Letter[] = await (await fetch(`${CPR_PEER_URL}/letters`)).json();
  return all.filter((l) => l.cpr === cpr);
}

test('a volunteer chooses Digital Post, the invitation reaches their public mailbox, and they answer from the letter', async ({ browser }, info) => {
  // Each device its own station and person (the two runs share a database).
  const stationId = info.project.name === 'phone' ? 28 : 29;
  const cpr = info.project.name === 'phone' ? '0303851234' : '0404851234';
  const admin = await (await browser.newContext({ viewport: { width: 1024, height: 768 } })).newPage();
  await signInWithLink(admin, adminSignInLink(`digitalpost-${info.project.name}@example.dk`));

  // The office picks someone for an open seat and stores their CPR number.
  await admin.goto(`/stations/${stationId}/roster`);
  const station = (await admin.getByRole('heading', { level: 1 }).textContent())!.replace('Vagtplan for ', '');
  await admin.locator('.roster-line').filter({ hasText: 'Ledig plads' }).first().getByRole('link', { name: /Find kandidater/ }).click();
  await admin.locator('body[data-ready="true"]').waitFor();
  const candidates = admin.url();
  const pick = admin.locator('.candidates .roster-line').nth(4);
  const id = (await pick.getByRole('checkbox').getAttribute('value'))!;
  const name = (await pick.locator('label strong').textContent())!;
  await admin.goto(`/volunteers/${id}`);
  const card = admin.locator('#cpr');
  await card.getByLabel('Gem CPR-nummer').fill(cpr);
  await card.getByRole('button', { name: 'Gem', exact: true }).click();
  await expect(admin.getByTestId('cpr-masked')).toHaveText(`${cpr.slice(0, 6)}-xxxx`);

  // On their phone they choose Digital Post as their only channel.
  const { phone } = await onTheirPhone(admin, browser, id, name);
  await phone.goto('/profile');
  await expect(phone.getByText('Digital Post kommer i din digitale postkasse')).toBeVisible();
  for (const other of ['push', 'email', 'sms']) await phone.locator(`#channel-${other}`).uncheck();
  await phone.getByLabel('Digital Post', { exact: true }).check();
  await phone.locator('form[action$="profile/save"]').getByRole('button', { name: 'Gem', exact: true }).click();
  await expect(phone.getByRole('status')).toContainText('Dine oplysninger er gemt.');
  await expect(phone.getByLabel('Digital Post', { exact: true })).toBeChecked();
  await checkA11y(phone, 'a profile with Digital Post');

  // The office invites them; the letter goes by Digital Post, not by mail.
  await admin.goto(candidates);
  await admin.locator('body[data-ready="true"]').waitFor();
  for (const box of await admin.locator('.candidates input[type="checkbox"]:checked').all()) await box.uncheck();
  await admin.locator(`#candidate-${id}`).check();
  await admin.getByRole('button', { name: 'Invitér de valgte' }).click();
  await expect(admin.getByRole('heading', { level: 1 })).toContainText('Vagtplan for');
  await expect.poll(async () => (await lettersTo(cpr)).length, { timeout: 15_000 }).toBe(1);
  const [letter] = await lettersTo(cpr);
  expect(letter.sender).toBe('Korsbæk Kommune');
  expect(letter.html).toContain(station);

  // The answer link in the letter works on the phone without more sign-in.
  const link = letter.html.match(/href="([^"]*\/answer\/[0-9a-f]{32})\?choice=yes"/)![1];
  await phone.goto(new URL(link).pathname);
  await phone.getByRole('button', { name: 'Ja tak' }).click();
  await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Tak! Vagten er din');

  // The office's message log names the channel and the transmission.
  await admin.goto(`/messages?volunteer=${id}`);
  const invitation = admin.locator('tr', { hasText: `Forsendelse ${letter.transmissionId}` });
  await expect(invitation).toContainText('Digital Post');
  await checkA11y(admin, 'the message log with Digital Post');
  await phone.context().close();
  await admin.context().close();
});
