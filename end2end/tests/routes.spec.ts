import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { a11yViolations, adminSignInLink, signInWithLink } from './helpers';

// axe on every route the app has: each path in app/src/lib.rs has a place
// here (the first test fails when a new route has none), and every one is
// opened and checked: signed in as an administrator on the tablet, and the
// volunteers' pages signed out on the phone.

interface Ids {
  election: string;
  station: string;
  area: string;
  electionType: string;
  taskType: string;
  team: string;
  diet: string;
  volunteer: string;
  seat: string;
}

const ROUTES: Record<string, (ids: Ids) => string> = {
  '/': () => '/',
  '/signin/:token': () => '/signin/0123456789abcdef',
  '/signin': () => '/signin',
  '/signin-code': () => '/signin-code?phone=%2B4520304050',
  '/account': () => '/account',
  '/admin/audit': () => '/admin/audit',
  '/admin/retention': () => '/admin/retention',
  '/admin/privacy': () => '/admin/privacy',
  '/admin/users': () => '/admin/users',
  '/messages': () => '/messages',
  '/my-shifts': () => '/my-shifts',
  '/open-shifts': () => '/open-shifts',
  '/profile': () => '/profile',
  '/join/:token': () => '/join/not-a-link',
  '/join/:token/new': () => '/join/not-a-link/new',
  '/join/:token/welcome': () => '/join/not-a-link/welcome',
  '/join/:token/check': () => '/join/not-a-link/check?email=ny%40example.dk',
  '/privacy': () => '/privacy',
  '/accessibility': () => '/accessibility',
  '/profile/email/:token': () => '/profile/email/0123456789abcdef',
  '/board': () => '/board',
  '/lists': () => '/lists',
  '/lists/message': (i) => `/lists/message?election=${i.election}`,
  '/volunteers': () => '/volunteers',
  '/volunteers/import': () => '/volunteers/import',
  '/seats/:id/candidates': (i) => `/seats/${i.seat}/candidates`,
  '/cover/:id': () => '/cover/999999',
  '/answer/:token': () => '/answer/0123456789abcdef',
  '/answered': () => '/answered?outcome=accepted',
  '/elections': () => '/elections',
  '/elections/new': () => '/elections/new',
  '/elections/:id': (i) => `/elections/${i.election}`,
  '/elections/:id/copy': (i) => `/elections/${i.election}/copy`,
  '/elections/:id/seats': (i) => `/elections/${i.election}/seats`,
  '/elections/:id/seats/:station': (i) => `/elections/${i.election}/seats/${i.station}`,
  '/elections/:id/messages': (i) => `/elections/${i.election}/messages`,
  '/election-types': () => '/election-types',
  '/election-types/new': () => '/election-types/new',
  '/election-types/:id': (i) => `/election-types/${i.electionType}`,
  '/areas': () => '/areas',
  '/areas/new': () => '/areas/new',
  '/areas/:id': (i) => `/areas/${i.area}`,
  '/stations': () => '/stations',
  '/stations/new': () => '/stations/new',
  '/stations/:id': (i) => `/stations/${i.station}`,
  '/stations/:id/roster': (i) => `/stations/${i.station}/roster`,
  '/stations/:id/checkin': (i) => `/stations/${i.station}/checkin?day=2027-05-04`,
  '/stations/:id/scan': (i) => `/stations/${i.station}/scan?day=2027-05-04`,
  '/checkin/:code': () => '/checkin/1-notacode',
  '/stations/:id/attendance-sheet': (i) => `/stations/${i.station}/attendance-sheet?day=2027-05-04`,
  '/my-stations': () => '/my-stations',
  '/my-teams': () => '/my-teams',
  '/volunteers/new': () => '/volunteers/new',
  '/volunteers/remove': (i) => `/volunteers/remove?ids=${i.volunteer}`,
  '/volunteers/:id/edit': (i) => `/volunteers/${i.volunteer}/edit`,
  '/volunteers/:id/merge': (i) => `/volunteers/${i.volunteer}/merge`,
  '/volunteers/:id/cpr': (i) => `/volunteers/${i.volunteer}/cpr`,
  '/volunteers/:id': (i) => `/volunteers/${i.volunteer}`,
  '/task-types': () => '/task-types',
  '/task-types/new': () => '/task-types/new',
  '/task-types/:id': (i) => `/task-types/${i.taskType}`,
  '/teams': () => '/teams',
  '/teams/new': () => '/teams/new',
  '/teams/:id': (i) => `/teams/${i.team}`,
  '/teams/:id/members': (i) => `/teams/${i.team}/members`,
  '/teams/:id/seats': (i) => `/teams/${i.team}/seats`,
  '/diets': () => '/diets',
  '/diets/new': () => '/diets/new',
  '/diets/:id': (i) => `/diets/${i.diet}`,
};

/** The volunteers' pages, also opened signed out at phone size. */
const PUBLIC = [
  '/',
  '/signin',
  '/signin/:token',
  '/signin-code',
  '/privacy',
  '/accessibility',
  '/join/:token',
  '/join/:token/new',
  '/join/:token/check',
  '/answer/:token',
  '/answered',
  '/profile/email/:token',
];

function appRoutes(): string[] {
  const source = readFileSync(join(__dirname, '..', '..', 'app', 'src', 'lib.rs'), 'utf8');
  return [...source.matchAll(/path!\("([^"]*)"\)/g)].map((m) => m[1]);
}

async function open(page: Page, path: string): Promise<void> {
  const response = await page.goto(path);
  expect(response, path).not.toBeNull();
  expect(response!.status(), `${path} answers without a server error`).toBeLessThan(500);
  await page.locator('body[data-ready="true"]').waitFor();
}

/** The first id in a link on `path` whose address matches `pattern`. */
async function firstId(page: Page, path: string, pattern: RegExp): Promise<string> {
  await open(page, path);
  const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
  for (const href of hrefs) {
    const match = href.match(pattern);
    if (match) return match[1];
  }
  throw new Error(`no link like ${pattern} on ${path}: ${hrefs.join(' ')}`);
}

test('every route of the app has a place in this walk', () => {
  const routes = appRoutes();
  expect(routes.length).toBeGreaterThan(50);
  expect([...routes].sort()).toEqual(Object.keys(ROUTES).sort());
});

test('axe finds nothing on any page of the office', async ({ page }, info) => {
  test.skip(info.project.name !== 'tablet', 'the office works on tablets');
  test.setTimeout(300_000);
  await signInWithLink(page, adminSignInLink('axe-alle-sider@example.dk'));
  const ids: Ids = {
    election: await firstId(page, '/elections', /^\/elections\/(\d+)$/),
    station: await firstId(page, '/stations', /^\/stations\/(\d+)$/),
    area: await firstId(page, '/areas', /^\/areas\/(\d+)$/),
    electionType: await firstId(page, '/election-types', /^\/election-types\/(\d+)$/),
    taskType: await firstId(page, '/task-types', /^\/task-types\/(\d+)$/),
    team: await firstId(page, '/teams', /^\/teams\/(\d+)(?:\/members)?$/),
    diet: await firstId(page, '/diets', /^\/diets\/(\d+)$/),
    volunteer: await firstId(page, '/volunteers?text=a', /^\/volunteers\/(\d+)$/),
    seat: '',
  };
  ids.seat = await firstId(page, `/stations/${ids.station}/roster`, /^\/seats\/(\d+)\/candidates/);
  // Every page is checked before the test fails, so one run names them all.
  const found: string[] = [];
  for (const [route, url] of Object.entries(ROUTES)) {
    await open(page, url(ids));
    for (const v of await a11yViolations(page, route)) found.push(`${route} (${url(ids)}): ${v}`);
  }
  expect(found).toEqual([]);
});

test('axe finds nothing on the volunteers\u2019 pages, signed out on a phone', async ({ page }, info) => {
  test.skip(info.project.name !== 'phone', 'volunteers use phones');
  test.setTimeout(120_000);
  const none: Ids = {
    election: '',
    station: '',
    area: '',
    electionType: '',
    taskType: '',
    team: '',
    diet: '',
    volunteer: '',
    seat: '',
  };
  const found: string[] = [];
  for (const route of PUBLIC) {
    const url = ROUTES[route](none);
    await open(page, url);
    for (const v of await a11yViolations(page, route)) found.push(`${route} (${url}): ${v}`);
  }
  expect(found).toEqual([]);
});
