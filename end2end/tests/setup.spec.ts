import { expect, test, type Page } from '@playwright/test';
import { adminSignInLink, checkA11y, expectNoHorizontalScroll, signInWithLink } from './helpers';

// One coordinator's first session: sign in with the link `valgvagt admin`
// printed, set up an election from scratch, and plan its seats. Runs once
// at phone size and once at tablet size (see playwright.config.ts), each
// with its own names so the two runs share the database peacefully.

async function hydrated(page: Page) {
  await page.locator('body[data-ready="true"]').waitFor();
}

async function checkPage(page: Page, label: string) {
  await hydrated(page);
  await expectNoHorizontalScroll(page);
  await checkA11y(page, label);
}

test('a coordinator signs in and sets up an election with seats', async ({ page }, info) => {
  const tag = info.project.name === 'phone' ? 'Telefon' : 'Tablet';
  const email = `koordinator-${info.project.name}@example.dk`;

  // Signed out: Danish front page, no set-up menu.
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'da');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Velkommen til Valgvagt');
  await checkPage(page, 'front page, signed out');

  // The printed one-time link opens a page with one button.
  const link = adminSignInLink(email);
  await page.goto(link);
  await expect(page.getByText(`Log ind som ${email}.`)).toBeVisible();
  await checkPage(page, 'sign-in link');
  await signInWithLink(page, link);
  await checkPage(page, 'front page, signed in');

  // The link cannot be used twice.
  const second = await page.context().newPage();
  await second.goto(link);
  await expect(second.getByText('Linket virker ikke længere')).toBeVisible();
  await second.close();

  // An area.
  await page.getByRole('link', { name: 'Områder' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Områder');
  await checkPage(page, 'areas');
  await page.getByRole('link', { name: 'Opret område' }).click();
  await checkPage(page, 'new area');
  await page.getByLabel('Navn').fill(`Område ${tag}`);
  await page.getByRole('button', { name: 'Gem' }).click();
  await expect(page).toHaveURL(/\/areas$/);
  await expect(page.getByRole('cell', { name: `Område ${tag}`, exact: true })).toBeVisible();

  // A polling station in it; a bad postal code is refused first, in Danish.
  await page.getByRole('link', { name: 'Afstemningssteder' }).click();
  await page.getByRole('link', { name: 'Opret afstemningssted' }).click();
  await checkPage(page, 'new station');
  await page.getByLabel('Navn').fill(`Skolen ${tag}`);
  await page.getByLabel('Område', { exact: true }).selectOption({ label: `Område ${tag}` });
  await page.getByLabel('Adresse').fill('Skolevej 12');
  await page.getByLabel('Postnummer').fill('42');
  await page.getByLabel('By', { exact: true }).fill('Korsbæk');
  await page.getByLabel('Afstemningsområde nr.').fill('7');
  await page.getByRole('button', { name: 'Gem' }).click();
  await expect(page.getByRole('alert')).toContainText('Postnummer: skal være et dansk postnummer med fire cifre');
  await checkPage(page, 'station form with an error');
  await page.getByLabel('Postnummer').fill('4200');
  await page.getByRole('button', { name: 'Gem' }).click();
  await expect(page).toHaveURL(/\/stations$/);
  await expect(page.getByRole('cell', { name: `Skolen ${tag}`, exact: true })).toBeVisible();
  await checkPage(page, 'stations');

  // A task type that runs past midnight.
  await page.getByRole('link', { name: 'Opgavetyper' }).click();
  await page.getByRole('link', { name: 'Opret opgavetype' }).click();
  await checkPage(page, 'new task type');
  await page.getByLabel('Titel').fill(`Fintæller ${tag}`);
  await page.getByLabel('Forkortelse').fill(`F${tag.slice(0, 3).toUpperCase()}`);
  await page.getByLabel('Starttid').fill('20:00');
  await page.getByLabel('Sluttid').fill('02:00');
  await page.getByLabel('Betaling (kr.)').fill('750');
  await page.getByRole('button', { name: 'Gem' }).click();
  await expect(page).toHaveURL(/\/task-types$/);
  await expect(page.getByRole('row', { name: new RegExp(`Fintæller ${tag}`) })).toContainText('20:00–02:00');
  await checkPage(page, 'task types');

  // A team.
  await page.getByRole('link', { name: 'Teams' }).click();
  await page.getByRole('link', { name: 'Opret team' }).click();
  await page.getByLabel('Navn').fill(`Frivillige ${tag}`);
  await page.getByLabel('Forkortelse').fill(`FRI${tag.slice(0, 2)}`);
  await page.getByRole('button', { name: 'Gem' }).click();
  await expect(page).toHaveURL(/\/teams$/);
  await checkPage(page, 'teams');

  // The election, with the new station ticked by default.
  await page.getByRole('link', { name: 'Valg', exact: true }).click();
  await checkPage(page, 'elections');
  await page.getByRole('link', { name: 'Opret valg' }).click();
  await checkPage(page, 'new election');
  await page.getByLabel('Titel').fill(`Folketingsvalg ${tag}`);
  await page.getByLabel('Valgtype').selectOption({ label: 'Folketingsvalg og folkeafstemning' });
  await page.getByLabel('Valgdag').fill('2027-06-01');
  await page.getByLabel('Første arbejdsdag').fill('2027-05-25');
  await page.getByLabel('Sidste arbejdsdag').fill('2027-06-02');
  await page.getByLabel('Aktivt').check();
  await expect(page.getByLabel(`Skolen ${tag} (Område ${tag})`)).toBeChecked();
  await page.getByRole('button', { name: 'Gem' }).click();

  // Straight on to the election's seat overview, then the station's matrix.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Folketingsvalg ${tag}`);
  await checkPage(page, 'election seats');
  await page.getByRole('link', { name: `Skolen ${tag}`, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Pladsfordeling: Skolen ${tag}`);
  await checkPage(page, 'seat plan');
  const cell = page.getByLabel(`Frivillige ${tag} – Fintæller ${tag}`);
  const total = page.getByTestId('grand-total');
  const before = Number(await total.textContent());
  // Hydration: the totals follow the inputs as you type, before saving.
  await cell.fill('3');
  await expect(total).toHaveText(String(before + 3));
  await page.getByRole('button', { name: 'Gem pladsfordeling' }).click();
  await expect(page.getByRole('status')).toHaveText('Pladsfordelingen er gemt.');

  // Saved for real: after a reload the count is still there.
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel(`Frivillige ${tag} – Fintæller ${tag}`)).toHaveValue('3');

  // The other days of work sit behind "all days"; the day after has no seats yet.
  await page.getByText('Alle arbejdsdage (9)').click();
  await page.getByRole('link', { name: '2.6.2027' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'onsdag 2. juni 2027' })).toBeVisible();
  await expect(page.getByLabel(`Frivillige ${tag} – Fintæller ${tag}`)).toHaveValue('0');

  // The election is listed, and its overview counts the seats.
  await page.getByRole('link', { name: 'Valg', exact: true }).click();
  await expect(page.getByRole('row', { name: new RegExp(`Folketingsvalg ${tag}`) }).locator('.badge')).toHaveText('Aktivt');
  await page.getByRole('link', { name: `Folketingsvalg ${tag}`, exact: true }).click();
  await expect(page.getByRole('row', { name: new RegExp(`Skolen ${tag}`) })).toContainText('3');

  // English on request, remembered.
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('link', { name: 'Polling stations' })).toBeVisible();
  await checkPage(page, 'election seats in English');
  await page.getByRole('button', { name: 'Dansk' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'da');
});

test('a refused delete explains why', async ({ page }, info) => {
  const tag = info.project.name === 'phone' ? 'Telefon' : 'Tablet';
  await signInWithLink(page, adminSignInLink(`koordinator-${info.project.name}@example.dk`));
  await page.goto('/areas');
  await hydrated(page);
  const row = page.getByRole('row', { name: new RegExp(`Område ${tag}`) });
  await row.locator('summary').click();
  await row.getByRole('button', { name: 'Ja, slet' }).click();
  await expect(page.getByRole('alert')).toContainText('Området har afstemningssteder og kan ikke slettes');
  await expect(page.getByRole('cell', { name: `Område ${tag}`, exact: true })).toBeVisible();
  await checkPage(page, 'areas with a refusal');
});
