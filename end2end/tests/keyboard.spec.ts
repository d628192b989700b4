import { expect, test, type Locator, type Page } from '@playwright/test';
import { latestMailTo, shiftLinkToNewSeat, signInByMail, tabTo } from './helpers';

// Two journeys with the keyboard alone (Tab, arrows, Space, Enter, typing),
// checking at every stop that the focus can be seen: a newcomer signing up
// for a shift, and a station manager checking someone in on the day.

/** Tabs to a field and types into it. */
async function typeInto(page: Page, field: Locator, text: string): Promise<void> {
  await tabTo(page, field);
  await page.keyboard.type(text);
}

/** Tabs into a radio group and moves with the arrow keys to `choice`. */
async function choose(page: Page, group: Locator, choice: string): Promise<void> {
  await tabTo(page, group.getByRole('radio').first());
  const target = group.getByLabel(choice, { exact: true });
  for (let n = 0; n < 10 && !(await target.isChecked()); n++) {
    await page.keyboard.press(n === 0 ? 'Space' : 'ArrowDown');
  }
  await expect(target).toBeChecked();
  await expect(target).toBeFocused();
}

/** Tabs to a button and presses Enter. */
async function press(page: Page, button: Locator): Promise<void> {
  await tabTo(page, button);
  await page.keyboard.press('Enter');
}

test('a newcomer signs up for a shift with the keyboard alone', async ({ browser }, info) => {
  const tag = `${info.project.name}-keys`;
  const { path } = await shiftLinkToNewSeat(browser, info.project.name === 'phone' ? 14 : 15, tag);
  const page = await (await browser.newContext()).newPage();
  await page.goto(path);
  await page.locator('body[data-ready="true"]').waitFor();
  const card = page.locator('.roster-line').filter({ hasText: 'Brevstemmemodtager' });
  await press(page, card.getByRole('link', { name: /Tag vagten/ }));

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bliv frivillig');
  await page.locator('body[data-ready="true"]').waitFor();
  const email = `tastatur-${tag}@example.dk`;
  await typeInto(page, page.getByLabel('Navn', { exact: true }), 'Tove Tastesen');
  await typeInto(page, page.getByLabel('E-mail', { exact: true }), email);
  await typeInto(page, page.getByLabel('Mobilnummer', { exact: true }), '20 30 40 50');
  // A date field takes its parts in the browser's order (month, day, year).
  await typeInto(page, page.getByLabel('Fødselsdato', { exact: true }), '05041990');
  await expect(page.getByLabel('Fødselsdato', { exact: true })).toHaveValue('1990-05-04');
  await typeInto(page, page.getByLabel('Adresse', { exact: true }), 'Storegade 1');
  await typeInto(page, page.getByLabel('Postnummer', { exact: true }), '4100');
  await typeInto(page, page.getByLabel('By', { exact: true }), 'Korsbæk');
  await choose(page, page.getByRole('group', { name: 'Bor du i Korsbæk Kommune?' }), 'Ja');
  await choose(page, page.getByRole('group', { name: 'Hvilket statsborgerskab har du?' }), 'Dansk');
  await choose(page, page.getByRole('group', { name: /Er du under værgemål/ }), 'Nej');
  await press(page, page.getByRole('button', { name: 'Næste' }));

  await expect(page.getByRole('heading', { name: 'Trin 2 af 3: Dine oplysninger hos kommunen' })).toBeVisible();
  const consent = page.getByLabel(/Jeg har læst teksten og giver samtykke/);
  await tabTo(page, consent);
  await page.keyboard.press('Space');
  await expect(consent).toBeChecked();
  await press(page, page.getByRole('button', { name: 'Opret mig' }));

  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bekræft din e-mail');
  const mail = await latestMailTo(email);
  const link = mail.text.match(/https?:\/\/\S+\/signin\/[0-9a-f]+(\?next=\S+)?/);
  expect(link, mail.text).not.toBeNull();
  await page.goto(link![0]);
  await press(page, page.getByRole('button', { name: 'Log ind nu' }));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Velkommen som frivillig');
  await expect(page.getByText('Du har fået vagten.')).toBeVisible();
  await page.context().close();
});

test('a station manager checks someone in with the keyboard alone', async ({ browser }, info) => {
  const n = info.project.name === 'phone' ? 3 : 4;
  const manager = await (await browser.newContext({ viewport: { width: 1024, height: 768 } })).newPage();
  await signInByMail(manager, `valgstyrer.${n}@korsbaek.example`);
  await manager.goto(`/stations/${n}/checkin?day=2027-05-04`);
  await manager.locator('body[data-ready="true"]').waitFor();

  // The skip link comes first and takes the focus past the menu.
  await manager.keyboard.press('Tab');
  const skip = manager.getByRole('link', { name: 'Gå til indhold' });
  await expect(skip).toBeFocused();
  await manager.keyboard.press('Enter');

  const waiting = manager.locator('.roster-line').filter({ hasText: 'Ikke mødt endnu' }).first();
  const seat = (await waiting.getAttribute('id'))!;
  await press(manager, waiting.getByRole('button', { name: /^Mødt/ }));
  await expect(manager.locator(`#${seat}`)).toContainText('Mødt');
  // The focus is not lost: the next Tab goes on from the line just marked.
  await manager.keyboard.press('Tab');
  const focusedInPage = await manager.evaluate(() => document.activeElement !== document.body);
  expect(focusedInPage).toBe(true);
  await manager.context().close();
});
