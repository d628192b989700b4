import { execFileSync } from 'node:child_process';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { MAIL_CATCHER_URL, SERVER_ENV, VALGVAGT_BIN } from '../e2e-env';

/**
 * Creates (or re-issues) an admin account via the CLI, against the same
 * database as the running e2e server, and returns the one-time sign-in link
 * that `valgvagt admin --email <email>` prints.
 */
export function adminSignInLink(email: string): string {
  const stdout = execFileSync(VALGVAGT_BIN, ['admin', '--email', email], {
    env: { ...process.env, ...SERVER_ENV },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
  const pattern = /https?:\/\/\S+/;
  for (const line of stdout.split(/\r?\n/)) {
    const m = line.match(pattern);
    if (m) return m[0];
  }
  throw new Error(`valgvagt admin printed no sign-in link. stdout was:\n${stdout}`);
}

type AxeViolation = Awaited<ReturnType<AxeBuilder['analyze']>>['violations'][number];

function formatViolation(v: AxeViolation): string {
  const nodes = v.nodes
    .map((n) => {
      const target = n.target.map((t) => (Array.isArray(t) ? t.join(' >> ') : String(t))).join(', ');
      const summary = (n.failureSummary ?? '').replace(/\s*\n\s*/g, ' | ');
      return `      - ${target}\n        ${summary}`;
    })
    .join('\n');
  return `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.helpUrl}\n${nodes}`;
}

/**
 * axe rules that may fail, each with the reason it is accepted. Empty: any
 * violation of any impact fails the test. A rule added here needs a reason
 * a reviewer would accept, and the accessibility statement must name it.
 */
export const ACCEPTED_AXE_RULES: Record<string, string> = {};

/**
 * Runs axe-core (WCAG 2.0/2.1 A + AA rules, and axe's best practices) on
 * the current page and fails the test on any violation, whatever its
 * impact, that is not in {@link ACCEPTED_AXE_RULES}.
 */
export async function checkA11y(page: Page, label: string): Promise<void> {
  expect(await a11yViolations(page, label), `accessibility violations on "${label}"`).toEqual([]);
}

/** What {@link checkA11y} fails on, as short lines (the details are logged). */
export async function a11yViolations(page: Page, label: string): Promise<string[]> {
  // Colours are measured as they end, not halfway through a hover fade.
  await page.addStyleTag({ content: '*, *::before, *::after { transition: none !important; }' });
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const violations = results.violations.filter((v) => !(v.id in ACCEPTED_AXE_RULES));
  if (violations.length > 0) {
    const report = violations.map(formatViolation).join('\n');
    console.log(`Accessibility violations on "${label}" (${page.url()}):\n${report}`);
  }
  return violations.map((v) => `${v.impact}: ${v.id} (${v.nodes.length} node(s))`);
}

/** Asserts that the page does not scroll horizontally at the current viewport. */
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, `document scrollWidth ${scrollWidth} > viewport ${innerWidth}`).toBeLessThanOrEqual(
    innerWidth,
  );
}

export interface CaughtMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** Every mail to `address` the loopback mail catcher has, now. */
export async function mailsTo(address: string): Promise<CaughtMail[]> {
  const response = await fetch(`${MAIL_CATCHER_URL}/messages?to=${encodeURIComponent(address)}`);
  return (await response.json()) as CaughtMail[];
}

/** Waits for mail to `address` at the loopback mail catcher and returns the newest. */
export async function latestMailTo(address: string, atLeast = 1): Promise<CaughtMail> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await fetch(`${MAIL_CATCHER_URL}/messages?to=${encodeURIComponent(address)}`);
    const mails = (await response.json()) as CaughtMail[];
    if (mails.length >= atLeast) return mails[mails.length - 1];
    if (Date.now() > deadline) throw new Error(`no mail to ${address} arrived`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The sign-in link in a mail's plain-text part. */
export function signInLinkIn(mail: CaughtMail): string {
  const match = mail.text.match(/https?:\/\/\S+\/signin\/[0-9a-f]+/);
  if (!match) throw new Error(`no sign-in link in mail: ${mail.text}`);
  return match[0];
}

/**
 * Opens a one-time sign-in link and presses the button. Someone without a
 * passkey lands on their account page (which offers to make one); from
 * there this goes on to the front page.
 */
export async function signInWithLink(page: Page, link: string): Promise<void> {
  await page.goto(link);
  await page.getByRole('button', { name: 'Log ind nu' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Min konto');
  await page.getByRole('link', { name: 'Forside' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hej Administrator');
}

/** Asks for a sign-in link on the sign-in page and follows it from the mail. */
export async function signInByMail(page: Page, email: string): Promise<void> {
  await page.goto('/signin');
  await page.locator('body[data-ready="true"]').waitFor();
  await page.getByLabel('E-mail').fill(email);
  await page.getByRole('button', { name: 'Send mig et link' }).click();
  await expect(page.getByRole('status')).toContainText('Hvis adressen hører til en person hos os');
  await page.goto(signInLinkIn(await latestMailTo(email)));
  await page.getByRole('button', { name: 'Log ind nu' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Min konto');
  // The account page runs the wasm: links work as the app's once it is live.
  await page.locator('body[data-ready="true"]').waitFor();
}

export interface CaughtSms {
  to: string;
  sender: string;
  message: string;
}

/** Waits for an SMS to `phone` (E.164) at the loopback gateway; the newest. */
export async function latestSmsTo(phone: string, atLeast = 1): Promise<CaughtSms> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await fetch(`${MAIL_CATCHER_URL}/sms?to=${encodeURIComponent(phone)}`);
    const texts = (await response.json()) as CaughtSms[];
    if (texts.length >= atLeast) return texts[texts.length - 1];
    if (Date.now() > deadline) throw new Error(`no SMS to ${phone} arrived`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The personal answer link in a mail's plain-text part (the "Ja tak" one). */
export function answerLinkIn(mail: CaughtMail): string {
  const match = mail.text.match(/https?:\/\/\S+\/answer\/[0-9a-f]{32}\?choice=yes/);
  if (!match) throw new Error(`no answer link in mail: ${mail.text}`);
  return match[0];
}

/**
 * As an administrator, gives Borgerservice one Brevstemmemodtager seat on
 * election day at the `index`th station of the demo election (each test and
 * project its own station), then makes a shift link narrowed to that
 * station and task, as coordinators may. Returns the station and the link.
 */
export async function shiftLinkToNewSeat(browser: Browser, index: number, tag: string): Promise<{ station: string; path: string }> {
  const admin = await (await browser.newContext()).newPage();
  await signInWithLink(admin, adminSignInLink(`ny-${tag}@example.dk`));
  await admin
    .locator('section.card', { hasText: 'Folketingsvalg 2027' })
    .first()
    .getByRole('link', { name: 'Folketingsvalg 2027' })
    .click();
  const link = admin.locator('table.data tbody tr a[href*="/seats/"]').nth(index);
  const station = (await link.textContent())!.trim();
  await link.click();
  await admin.locator('body[data-ready="true"]').waitFor();
  await admin.getByLabel('Borgerservice – Brevstemmemodtager', { exact: true }).fill('1');
  await admin.getByRole('button', { name: 'Gem pladsfordeling' }).click();
  await expect(admin.getByRole('status')).toHaveText('Pladsfordelingen er gemt.');

  await admin.goto('/teams');
  await admin.getByRole('link', { name: 'Medlemmer Borgerservice' }).click();
  await admin.locator('body[data-ready="true"]').waitFor();
  const links = admin.getByRole('region', { name: 'Tilmeldingslinks' });
  const before = await links.getByRole('listitem').count();
  await links.getByLabel('Valg', { exact: true }).selectOption({ label: 'Folketingsvalg 2027' });
  await links.getByLabel('Kun afstemningssted').selectOption({ label: station });
  await links.getByLabel('Kun opgave').selectOption({ label: 'Brevstemmemodtager' });
  await links.getByRole('button', { name: 'Lav linket' }).click();
  await expect(links.getByRole('listitem')).toHaveCount(before + 1);
  await expect(links.getByRole('listitem').first()).toContainText(`kun ${station}, Brevstemmemodtager`);
  const url = await links.getByLabel('Dit nye link').inputValue();
  await admin.context().close();
  return { station, path: new URL(url).pathname };
}


/**
 * Presses Tab until `target` has the focus (at most `limit` times), as a
 * keyboard user moves through the page, and checks the focus can be seen.
 */
export async function tabTo(page: Page, target: Locator, limit = 120): Promise<void> {
  await target.waitFor();
  for (let n = 0; n < limit; n++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement)) {
      await expectVisibleFocus(target);
      return;
    }
  }
  throw new Error(`Tab never reached ${target}`);
}

/** The focused element shows a focus ring (an outline or a box shadow). */
export async function expectVisibleFocus(target: Locator): Promise<void> {
  await expect(target).toBeFocused();
  const ring = await target.evaluate((el) => {
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return outline || style.boxShadow !== 'none';
  });
  expect(ring, 'the focused element shows where the focus is').toBe(true);
}

/**
 * The office gives a volunteer (by id and name) an account; they sign in
 * from the mailed link on a phone of their own, which is returned.
 */
export async function onTheirPhone(admin: Page, browser: Browser, id: string, name: string): Promise<{ phone: Page; email: string }> {
  await admin.goto(`/volunteers/${id}`);
  const email = (await admin.locator('a[href^="mailto:"]').first().getAttribute('href'))!.replace('mailto:', '');
  await admin.goto('/admin/users');
  await admin.locator('body[data-ready="true"]').waitFor();
  await admin.getByLabel('Navn', { exact: true }).fill(name);
  await admin.getByLabel('E-mail', { exact: true }).fill(email);
  await admin.getByLabel('Rolle', { exact: true }).selectOption({ label: 'Frivillig' });
  await admin.getByRole('button', { name: 'Send invitation' }).click();
  await expect(admin.getByRole('status')).toHaveText('Invitationen er sendt.');
  const phone = await (await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).newPage();
  await phone.goto(signInLinkIn(await latestMailTo(email)));
  await phone.getByRole('button', { name: 'Log ind nu' }).click();
  await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Min konto');
  return { phone, email };
}

/** Gives the pages of `target` a camera that films `svg` (a QR code; the
 * decoding in the page is real). */
export async function cameraFilming(target: Page | BrowserContext, svg: string): Promise<void> {
  await target.addInitScript((markup: string) => {
    navigator.mediaDevices.getUserMedia = async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 480;
      canvas.height = 480;
      const ctx = canvas.getContext('2d')!;
      const img = new Image();
      img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(markup);
      await img.decode();
      const draw = () => {
        ctx.fillStyle = '#fff';
        ctx.fillRect(0, 0, 480, 480);
        ctx.drawImage(img, 40, 40, 400, 400);
      };
      draw();
      setInterval(draw, 100);
      return canvas.captureStream(10);
    };
  }, svg);
}

/** Opens the gap board on the demo's election and, unless `day` is false,
 * on its election day (other tests add elections that may come first). */
export async function boardOfTheDemo(page: Page, { day = true } = {}): Promise<void> {
  await page.goto('/board');
  await page.locator('body[data-ready="true"]').waitFor();
  await page.getByLabel('Valg', { exact: true }).selectOption({ label: 'Folketingsvalg 2027' });
  await page.getByRole('button', { name: 'Vis' }).click();
  if (day) {
    // The days depend on the election: it comes first.
    await expect(page.getByLabel('Dag', { exact: true }).locator('option', { hasText: 'tirsdag 4. maj 2027' })).toHaveCount(1);
    await page.locator('body[data-ready="true"]').waitFor();
    await page.getByLabel('Dag', { exact: true }).selectOption({ label: 'tirsdag 4. maj 2027' });
    await page.getByRole('button', { name: 'Vis' }).click();
  } else {
    await expect(page).toHaveURL(/election=/);
  }
  await page.locator('body[data-ready="true"]').waitFor();
}
