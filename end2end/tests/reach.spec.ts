import { expect, test } from '@playwright/test';
import { adminSignInLink, answerLinkIn, checkA11y, expectNoHorizontalScroll, latestMailTo, latestSmsTo, signInWithLink } from './helpers';

const tablet = { viewport: { width: 1024, height: 768 }, hasTouch: true };
const phoneSize = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

test('people the office imports answer an invitation from the mail without signing in, and sign in by SMS code', async ({ browser }, info) => {
  test.setTimeout(150_000);
  const who = info.project.name;
  // Each project its own numbers and station, so the two runs do not meet.
  const prefix = who === 'phone' ? '3161' : '3162';
  // Pia is Oda entered twice, to be merged.
  const people = ['Mette', 'Niels', 'Oda', 'Pia'].map((first, i) => ({
    name: `${first} Svar`,
    email: `${first.toLowerCase()}.${who}@svar.example`,
    phone: `+45${prefix}000${i}`,
  }));
  const office = await (await browser.newContext(tablet)).newPage();
  await signInWithLink(office, adminSignInLink(`svar-${who}@example.dk`));

  // The office imports three people.
  await office.goto('/volunteers/import');
  await office.locator('body[data-ready="true"]').waitFor();
  const heading = 'Navn;E-mail;Telefon;Fødselsdato;Adresse;Postnr;By;Bor i kommunen;Statsborgerskab;Værgemål';
  const rows = people.map((p) => `${p.name};${p.email};${p.phone};1980-02-03;Skolevej 9;4200;Korsbæk;ja;dansk;nej`);
  await office.getByLabel('Indholdet af filen').fill(`${heading}\n${rows.join('\n')}\n`);
  await office.getByLabel('Sæt dem på holdet').selectOption({ label: 'Frivillige' });
  await office.getByRole('button', { name: 'Vis forhåndsvisning' }).click();
  await office.getByRole('button', { name: 'Importér 4 frivillige' }).click();
  await expect(office.getByRole('status').filter({ hasText: 'importeret' })).toHaveText('4 frivillige er importeret.');

  // They are in the register at once: found as the office types.
  await office.getByRole('link', { name: 'Deltagere' }).click();
  await expect(office.getByRole('heading', { level: 1 })).toHaveText('Deltagere');
  await office.locator('body[data-ready="true"]').waitFor();
  await office.getByRole('searchbox', { name: 'Søg' }).fill(`.${who}@svar`);
  await expect(office.getByTestId('register-total')).toHaveText('4 personer');
  await expect(office.locator('table.data tbody tr')).toHaveCount(4);
  await expect(office.getByRole('searchbox', { name: 'Søg' })).toBeFocused();
  await checkA11y(office, 'register');
  await office.getByRole('link', { name: 'Oda Svar' }).click();
  await expect(office.getByRole('heading', { level: 1 })).toHaveText('Oda Svar');
  // A note only the office sees, and she has moved out of the municipality.
  await office.locator('body[data-ready="true"]').waitFor();
  await office.getByLabel('Ny note').fill('Foretrækker Rådhuset');
  await office.getByRole('button', { name: 'Gem note' }).click();
  await expect(office.locator('#notes')).toContainText('Foretrækker Rådhuset');
  await checkA11y(office, 'a person, as the office sees them');
  await office.getByRole('link', { name: 'Ret oplysninger' }).click();
  await expect(office.getByRole('heading', { level: 1 })).toHaveText('Ret Oda Svar');
  await office.locator('body[data-ready="true"]').waitFor();
  await office.getByRole('group', { name: 'Bor personen i Korsbæk Kommune?' }).getByLabel('Nej').check();
  await checkA11y(office, 'person form');
  await office.getByRole('button', { name: 'Gem', exact: true }).click();
  await expect(office.getByRole('heading', { level: 1 })).toHaveText('Oda Svar');
  const declaration = office.locator('section', { hasText: 'Egen erklæring' });
  await expect(declaration.locator('dd').first()).toHaveText('Nej');
  // Pia is Oda twice: the office merges the duplicate after seeing what moves.
  await office.getByRole('link', { name: 'Slå sammen med en dublet' }).click();
  await office.getByLabel('Dubletten').fill(people[3].email);
  await office.getByRole('button', { name: 'Vis hvad der sker' }).click();
  await expect(office.getByRole('status').filter({ hasText: 'Værd at vide' })).toContainText(people[3].email);
  await checkA11y(office, 'merge preview');
  await office.getByRole('button', { name: 'Slå sammen og slet Pia Svar' }).click();
  await expect(office.getByRole('heading', { level: 1 })).toHaveText('Oda Svar');
  await office.goto(`/volunteers?q=${encodeURIComponent(`.${who}@svar`)}`);
  await expect(office.getByTestId('register-total')).toHaveText('3 personer');

  // The board is open on another tablet.
  const board = await (await browser.newContext(tablet)).newPage();
  await signInWithLink(board, adminSignInLink(`svar-tavle-${who}@example.dk`));
  await board.goto('/board');
  await board.locator('body[data-ready="true"]').waitFor();
  await board.getByLabel('Valg', { exact: true }).selectOption({ label: 'Folketingsvalg 2027' });
  await board.getByRole('button', { name: 'Vis' }).click();
  await board.locator('body[data-ready="true"]').waitFor();
  await board.locator('#board-live[data-live="open"]').waitFor();
  // Counted before the invitation, so that each later figure is waited for
  // rather than read at a moment the board may not have caught up with.
  const stationId = who === 'phone' ? 24 : 25;
  const total = board.locator(`table.board tbody tr[data-station="${stationId}"] td:not([data-testid=present])`).last();
  await expect(total.locator('span[aria-hidden]')).toHaveText(/^\d+\/\d+\/\d+$/);
  const [accepted, invited] = (await total.locator('span[aria-hidden]').textContent())!.split('/').map(Number);

  // The office invites the first of them to an open seat.
  await office.goto(`/stations/${stationId}/roster`);
  const open = office.locator('.roster-line').filter({ hasText: 'Ledig plads' }).first();
  await open.getByText('Invitér').click();
  await open.getByLabel('Den frivilliges e-mail').fill(people[0].email);
  await open.getByRole('button', { name: 'Send invitation' }).click();
  await expect(office.getByRole('heading', { level: 1 })).toContainText('Vagtplan for');
  await expect(total.locator('span[aria-hidden]')).toHaveText(new RegExp(`^${accepted}/${invited + 1}/`), { timeout: 5_000 });

  // The mail carries Mette's own answer link; her phone has no session.
  const mail = await latestMailTo(people[0].email);
  const phone = await (await browser.newContext(phoneSize)).newPage();
  await phone.goto(answerLinkIn(mail));
  await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Dit svar');
  await expect(phone.getByText('Hej Mette Svar')).toBeVisible();
  await expectNoHorizontalScroll(phone);
  await checkA11y(phone, 'answer page');
  await phone.getByRole('button', { name: 'Ja tak' }).click();
  await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Tak! Vagten er din');
  await checkA11y(phone, 'answered page');
  // The board shows it without a reload.
  await expect(total.locator('span[aria-hidden]')).toHaveText(new RegExp(`^${accepted + 1}/${invited}/`), { timeout: 5_000 });
  // The link worked once.
  await phone.goto(answerLinkIn(mail));
  await expect(phone.getByRole('status')).toContainText('Linket virker ikke længere');

  // Niels signs in on his phone with a code by SMS and sees his shifts.
  const niels = await (await browser.newContext(phoneSize)).newPage();
  await niels.goto('/signin');
  await niels.locator('body[data-ready="true"]').waitFor();
  await niels.getByRole('textbox', { name: 'Mobilnummer' }).fill(people[1].phone.replace('+45', ''));
  await niels.getByRole('button', { name: 'Send mig en kode' }).click();
  await expect(niels.getByRole('heading', { level: 1 })).toHaveText("Skriv koden fra SMS'en");
  await checkA11y(niels, 'sms code page');
  const sms = await latestSmsTo(people[1].phone);
  const code = sms.message.slice(0, 6);
  expect(sms.message).toContain(`#${code}`);
  // A wrong code first: refused, with the tries left.
  await niels.getByLabel('Kode').fill(code === '000000' ? '111111' : '000000');
  await niels.getByRole('button', { name: 'Log ind nu' }).click();
  await expect(niels.getByRole('alert')).toContainText('Du har 4 forsøg tilbage');
  await niels.getByLabel('Kode').fill(code);
  await niels.getByRole('button', { name: 'Log ind nu' }).click();
  await niels.getByRole('link', { name: 'Mine vagter' }).first().click();
  await expect(niels.getByRole('heading', { level: 1 })).toHaveText('Mine vagter');
  await office.context().close();
  await board.context().close();
  await phone.context().close();
  await niels.context().close();
});
