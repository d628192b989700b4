import { Browser, Page, expect, test } from '@playwright/test';
import { adminSignInLink, boardOfTheDemo, cameraFilming, checkA11y, expectNoHorizontalScroll, latestMailTo, onTheirPhone, signInByMail, signInWithLink } from './helpers';

const tablet = { viewport: { width: 1024, height: 768 }, hasTouch: true };
const phoneSize = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
// The board refreshes on its own only once a minute, so a change that shows
// within this came over its live stream. This is a bound, not a latency
// claim: `cargo bench -p server --bench pages` measures how fast a change
// reaches open boards.
const LIVE_UPDATE_MS = 10_000;

test('two coordinators on two tablets: a change on one shows on the other board without a reload', async ({ browser }, info) => {
  // Coordinator A keeps the board open for the demo election.
  const a = await (await browser.newContext(tablet)).newPage();
  await signInWithLink(a, adminSignInLink(`tavle-a-${info.project.name}@example.dk`));
  await a.getByRole('link', { name: 'Bemanding' }).click();
  await expect(a.getByRole('heading', { level: 1 })).toHaveText('Bemanding');
  await a.locator('body[data-ready="true"]').waitFor();
  // The days depend on the election: choose it first.
  await a.getByLabel('Valg', { exact: true }).selectOption({ label: 'Folketingsvalg 2027' });
  await a.getByRole('button', { name: 'Vis' }).click();
  await expect(a.getByLabel('Dag', { exact: true }).locator('option', { hasText: 'tirsdag 4. maj 2027' })).toHaveCount(1);
  await a.locator('body[data-ready="true"]').waitFor();
  await a.getByLabel('Dag', { exact: true }).selectOption({ label: 'tirsdag 4. maj 2027' });
  await a.getByLabel('Rækkefølge').selectOption({ label: 'Flest mangler først' });
  await a.getByRole('button', { name: 'Vis' }).click();
  await a.locator('body[data-ready="true"]').waitFor();
  await expect(a.locator('table.board tbody tr[data-station]')).toHaveCount(30);
  // Every cell says its numbers in words too; the colours only add to them.
  await expect(a.locator('table.board td.gap-missing').first()).toContainText('accepteret');
  await expectNoHorizontalScroll(a);
  await checkA11y(a, 'gap board');
  const row = a.locator('table.board tbody tr[data-station]').filter({ hasText: 'Rådhuset' });
  // The row's total: the last cell before the check-in column.
  const total = row.locator('td:not([data-testid=present])').last();
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
  await b.locator('body[data-ready="true"]').waitFor();
  const cell = b.getByLabel('Frivillige – Tilforordnet', { exact: true });
  await cell.fill(String(Number(await cell.inputValue()) + 1));
  await b.getByRole('button', { name: 'Gem pladsfordeling' }).click();
  await expect(b.getByRole('status')).toHaveText('Pladsfordelingen er gemt.');

  // A's board shows it without a reload.
  await expect(total.locator('span[aria-hidden]')).toHaveText(new RegExp(`/${seats + 1}$`), { timeout: LIVE_UPDATE_MS });
  await expect(total).toHaveClass(/gap-missing/);

  // The choice is remembered: the board opens with it again.
  await a.goto('/board');
  await expect(a.getByLabel('Rækkefølge')).toHaveValue('missing');
  await expect(a.getByLabel('Dag', { exact: true })).toHaveValue('2027-05-04');
  await a.context().close();
  await b.context().close();
});

test("a volunteer's sign-up on a phone shows on the coordinator's board without a reload", async ({ browser }, info) => {
  const board = await (await browser.newContext(tablet)).newPage();
  await signInWithLink(board, adminSignInLink(`tavle-tilmelding-${info.project.name}@example.dk`));
  // The office makes a sign-up link for the Borgerservice team.
  await board.goto('/teams');
  await board.locator('tr', { hasText: 'Borgerservice' }).getByRole('link', { name: /Medlemmer/ }).click();
  await board.locator('body[data-ready="true"]').waitFor();
  const links = board.getByRole('region', { name: 'Tilmeldingslinks' });
  await links.getByLabel('Valg', { exact: true }).selectOption({ label: 'Folketingsvalg 2027' });
  const before = await links.getByRole('listitem').count();
  await links.getByRole('button', { name: 'Lav linket' }).click();
  await expect(links.getByRole('listitem')).toHaveCount(before + 1);
  const path = new URL(await links.getByLabel('Dit nye link').inputValue()).pathname;

  // A volunteer (the office gives them an account) looks at the link on their phone.
  const n = info.project.name === 'phone' ? 7 : 8;
  await board.goto(`/volunteers/${n}`);
  const name = (await board.getByRole('heading', { level: 1 }).textContent())!.trim();
  const { phone } = await onTheirPhone(board, browser, String(n), name);
  await phone.goto(path);
  const section = phone
    .locator('section.roster-day')
    .filter({ has: phone.getByRole('button', { name: /Tag vagten/ }) })
    .first();
  const station = (await section.getByRole('heading', { level: 2 }).textContent())!.trim();

  // The coordinator watches that station's row.
  await boardOfTheDemo(board, { day: false });
  const row = board.locator('table.board tbody tr[data-station]').filter({ has: board.getByRole('link', { name: station, exact: true }) });
  const total = row.locator('td').last();
  const accepted = async () => Number((await total.locator('span[aria-hidden]').textContent())!.split('/')[0]);
  const was = await accepted();

  await section.getByRole('button', { name: /Tag vagten/ }).first().click();
  await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Mine vagter');
  await expect.poll(accepted, { timeout: LIVE_UPDATE_MS }).toBe(was + 1);
  await phone.context().close();
  await board.context().close();
});

test('a coordinator fills a gap with the top-ranked candidate, who accepts on the phone', async ({ browser }, info) => {
  const admin = await (await browser.newContext(tablet)).newPage();
  await signInWithLink(admin, adminSignInLink(`huller-${info.project.name}@example.dk`));
  // Each project its own station, so the two runs do not meet.
  await admin.goto(`/stations/${info.project.name === 'phone' ? 20 : 21}/roster`);
  const station = (await admin.getByRole('heading', { level: 1 }).textContent())!.replace('Vagtplan for ', '');
  const open = admin.locator('.roster-line').filter({ hasText: 'Ledig plads' }).first();
  await open.getByRole('link', { name: /Find kandidater/ }).click();
  await expect(admin.getByRole('heading', { level: 1 })).toContainText('Find en til');
  await admin.locator('body[data-ready="true"]').waitFor();
  await checkA11y(admin, 'candidates');
  const best = admin.locator('.candidates .roster-line').first();
  await expect(best.getByRole('checkbox')).toBeChecked();
  const id = await best.getByRole('checkbox').getAttribute('value');
  const name = (await best.locator('label strong').textContent())!;
  await admin.getByRole('button', { name: 'Invitér de valgte' }).click();
  await expect(admin.getByRole('heading', { level: 1 })).toContainText('Vagtplan for');
  await expect(admin.locator('.roster-line').filter({ hasText: name }).first()).toContainText('Inviteret');

  // The office gives them an account; they answer on their phone.
  const { phone } = await onTheirPhone(admin, browser, id!, name);
  await phone.getByRole('link', { name: 'Mine vagter' }).click();
  const invited = phone.locator('.roster-line').filter({ hasText: station }).filter({ hasText: 'Inviteret' });
  await expect(invited).toHaveCount(1);
  const seat = (await invited.getAttribute('id'))!;
  await invited.getByRole('button', { name: 'Ja tak' }).click();
  await expect(phone.locator(`#${seat}`)).toContainText('Accepteret');

  // On the day, the phone shows a QR code; scanning it opens the check-in.
  await phone.locator(`#${seat}`).getByText('Vis fremmødekode').click();
  const qr = phone.locator(`#${seat} .qr`);
  await expect(qr.locator('svg')).toBeVisible();
  const code = (await qr.getAttribute('data-code'))!;
  const svg = await qr.innerHTML();
  // The station's tablet scans it with its camera, here a fake one that
  // films the phone's QR code (the decoding in the page is real).
  const stationId = info.project.name === 'phone' ? 20 : 21;
  await cameraFilming(admin, svg);
  await admin.goto(`/stations/${stationId}/checkin`);
  await admin.locator('body[data-ready="true"]').waitFor();
  // The scanner is a page of its own (the only one allowed the camera),
  // and starts scanning as it opens. The code is matched against the
  // station's roster that the device keeps (so scanning works offline too)
  // and confirmed on the page with one tap.
  await admin.getByRole('link', { name: 'Scan med kameraet' }).click();
  const result = admin.locator('#scan-result');
  await expect(result).toContainText(name, { timeout: 10_000 });
  expect(code).toMatch(/^\d+-/);
  await result.getByRole('button', { name: 'Tjek ind nu' }).click();
  await expect(result.getByRole('status')).toHaveText(`${name} er tjekket ind.`);
  // Sent at once while there is a network: nothing waits.
  await expect(admin.locator('#offline-status')).toHaveAttribute('data-waiting-count', '0');
  await admin.getByRole('link', { name: 'Tilbage til fremmødet' }).click();
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText(`Fremmøde: ${station}`);
  await expect(admin.locator(`#${seat}`)).toContainText('Mødt');
  await phone.context().close();
  await admin.context().close();
});

test('call for cover: two candidates take the seat at the same moment, and exactly one gets it', async ({ browser }, info) => {
  const admin = await (await browser.newContext(tablet)).newPage();
  await signInWithLink(admin, adminSignInLink(`afloeser-${info.project.name}@example.dk`));
  const stationId = info.project.name === 'phone' ? 22 : 23;
  await admin.goto(`/stations/${stationId}/roster`);
  const open = admin.locator('.roster-line').filter({ hasText: 'Ledig plads' }).first();
  await open.getByRole('link', { name: /Find kandidater/ }).click();
  await expect(admin.getByRole('heading', { level: 1 })).toContainText('Find en til');
  const candidatesUrl = admin.url();
  // Two of the candidates (not the first, whom another test may invite).
  const picked: { id: string; name: string; email: string }[] = [];
  for (const n of [2, 3]) {
    const line = admin.locator('.candidates .roster-line').nth(n);
    picked.push({
      id: (await line.getByRole('checkbox').getAttribute('value'))!,
      name: (await line.locator('label strong').textContent())!,
      email: '',
    });
  }
  const phones: Page[] = [];
  for (const p of picked) {
    const { phone, email } = await onTheirPhone(admin, browser, p.id, p.name);
    phones.push(phone);
    p.email = email;
  }

  await admin.goto(candidatesUrl);
  await admin.locator('body[data-ready="true"]').waitFor();
  await checkA11y(admin, 'candidates with call for cover');
  await admin.getByRole('radio', { name: /Alle egnede kandidater/ }).check();
  await admin.getByLabel('Svarfrist i timer').fill('2');
  await admin.getByRole('button', { name: 'Send kald' }).click();
  await expect(admin.getByRole('status')).toContainText('Sendt til');
  // Keyboard and screen-reader users land on what happened.
  await expect(admin.getByRole('status')).toBeFocused();

  // Both get the call by mail and open it on their phones.
  for (const [i, phone] of phones.entries()) {
    await phone.goto('/my-shifts');
    await expect(phone.getByRole('heading', { name: 'Vagter der søger en afløser' })).toBeVisible();
    await expect
      .poll(async () => (await latestMailTo(picked[i].email)).subject, { timeout: 10_000 })
      .toContain('Vagt søger afløser');
    const link = phone.locator('.roster-line[id^="cover-"]').first();
    const seat = (await link.getAttribute('id'))!.replace('cover-', '');
    await phone.goto(`/cover/${seat}`);
    await expect(phone.getByRole('button', { name: /Ja, jeg tager vagten/ })).toBeVisible();
  }
  await checkA11y(phones[0], 'cover offer');
  // The same moment.
  await Promise.all(phones.map((phone) => phone.getByRole('button', { name: /Ja, jeg tager vagten/ }).click()));
  const outcomes = await Promise.all(
    phones.map(async (phone) => {
      await phone.waitForLoadState();
      await expect(phone.getByRole('heading', { level: 1 })).toHaveText(/Mine vagter|Vagt søger afløser/);
      return (await phone.getByRole('heading', { level: 1 }).textContent())!;
    }),
  );
  expect(outcomes.filter((h) => h === 'Mine vagter')).toHaveLength(1);
  const loser = phones[outcomes.indexOf('Vagt søger afløser')];
  await expect(loser.getByRole('alert')).toContainText('Vagten er allerede taget af en anden.');
  await loser.reload();
  await expect(loser.getByRole('status')).toContainText('En anden nåede at tage vagten');
  const winner = phones[outcomes.indexOf('Mine vagter')];
  await expect(winner.locator('.roster-line').filter({ hasText: 'Accepteret' }).first()).toBeVisible();
  for (const phone of phones) await phone.context().close();
  await admin.context().close();
});

test('the station manager checks people in on the day; the coordinators see it live', async ({ browser }, info) => {
  const n = info.project.name === 'phone' ? 1 : 2;
  const manager = await (await browser.newContext(tablet)).newPage();
  await signInByMail(manager, `valgstyrer.${n}@korsbaek.example`);
  await manager.goto(`/stations/${n}/checkin?day=2027-05-04`);
  const station = (await manager.getByRole('heading', { level: 1 }).textContent())!.replace('Fremmøde: ', '');
  await manager.locator('body[data-ready="true"]').waitFor();
  await checkA11y(manager, 'check-in');
  await expectNoHorizontalScroll(manager);

  const board = await (await browser.newContext(tablet)).newPage();
  await signInWithLink(board, adminSignInLink(`fremmoede-${info.project.name}@example.dk`));
  await boardOfTheDemo(board);
  const present = board.locator(`tr[data-station="${n}"] [data-testid=present]`);
  await expect(present).toBeVisible();
  const [arrived, accepted] = (await present.textContent())!.split(' ')[0].split('/').map(Number);
  await expect(board.locator(`tr[data-station="${n}"]`)).toContainText(station);

  // A second tablet at the station, connected to its live stream.
  const second = await board.context().newPage();
  await second.goto(`/stations/${n}/checkin?day=2027-05-04`);
  await second.locator('#checkin-live[data-live="open"]').waitFor();

  const waiting = manager.locator('.roster-line').filter({ hasText: 'Ikke mødt endnu' }).first();
  const seat = (await waiting.getAttribute('id'))!;
  await expect(second.locator(`#${seat}`)).toContainText('Ikke mødt endnu');
  await waiting.getByRole('button', { name: /^Mødt/ }).click();
  await expect(manager.locator(`#${seat}`)).toContainText('Mødt');
  await expect(present).toHaveText(`${arrived + 1}/${accepted}`, { timeout: LIVE_UPDATE_MS });
  // The second tablet follows without a reload.
  await expect(second.locator(`#${seat}`)).not.toContainText('Ikke mødt endnu', { timeout: LIVE_UPDATE_MS });
  await second.close();

  // Someone who does not come is marked, and the station stands out.
  const absent = manager.locator('.roster-line').filter({ hasText: 'Ikke mødt endnu' }).first();
  await absent.getByRole('button', { name: /^Udeblevet/ }).click();
  await expect(board.locator(`tr[data-station="${n}"]`)).toHaveClass(/board-alarm/, { timeout: LIVE_UPDATE_MS });
  await expect(present).toContainText('1 udeblevet');

  // The attendance sheet to print, with what is known so far.
  await manager.getByRole('link', { name: 'Fremmødeliste til udskrift' }).click();
  await expect(manager.getByRole('heading', { level: 1 })).toHaveText(`Fremmødeliste: ${station}`);
  await expect(manager.getByRole('columnheader', { name: 'Underskrift' })).toBeVisible();
  await expect(manager.locator('table.attendance-sheet tbody tr').filter({ hasText: 'Udeblevet' })).toHaveCount(1);
  await checkA11y(manager, 'attendance sheet');
  await manager.emulateMedia({ media: 'print' });
  await expect(manager.getByRole('navigation', { name: 'Hovedmenu' })).toBeHidden();
  await manager.context().close();
  await board.context().close();
});

test('the office picks columns for a participant list and takes it away as a spreadsheet', async ({ browser }, info) => {
  const admin = await (await browser.newContext(tablet)).newPage();
  await signInWithLink(admin, adminSignInLink(`lister-${info.project.name}@example.dk`));
  await admin.getByRole('link', { name: 'Lister' }).click();
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText('Deltagerlister');
  await admin.locator('body[data-ready="true"]').waitFor();
  await admin.getByLabel('Valg', { exact: true }).selectOption({ label: 'Folketingsvalg 2027' });
  await admin.getByRole('combobox', { name: 'Status', exact: true }).selectOption({ label: 'Accepteret' });
  await admin.getByRole('checkbox', { name: 'E-mail', exact: true }).check();
  await admin.getByRole('checkbox', { name: 'Specialkost', exact: true }).check();
  await admin.getByRole('button', { name: 'Vis' }).click();
  await expect(admin.getByRole('columnheader', { name: 'E-mail' })).toBeVisible();
  await expect(admin.getByRole('columnheader', { name: 'Specialkost' })).toBeVisible();
  await expect(admin.locator('table.data tbody tr').first()).toContainText('Accepteret');
  await checkA11y(admin, 'participant list');
  const [download] = await Promise.all([
    admin.waitForEvent('download'),
    admin.getByRole('link', { name: 'Hent Excel' }).click(),
  ]);
  const bytes = require('node:fs').readFileSync(await download.path()) as Buffer;
  // An XLSX file is a zip archive.
  expect(bytes.subarray(0, 2).toString()).toBe('PK');
  await admin.context().close();
});
