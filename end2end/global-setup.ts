import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FullConfig } from '@playwright/test';
import { E2E_DATABASE, SERVER_ENV, SITE_ROOT, VALGVAGT_BIN } from './e2e-env';

// Runs once, after the web server is up (Playwright starts webServer first;
// the fresh database is created by the webServer command in playwright.config.ts).
// Checks the build artefacts the tests rely on and exports the server
// environment so that test workers (e.g. helpers.adminSignInLink) use the
// same database as the running server.
export default async function globalSetup(_config: FullConfig): Promise<void> {
  const problems: string[] = [];
  if (!fs.existsSync(VALGVAGT_BIN)) {
    problems.push(`server binary missing: ${VALGVAGT_BIN}`);
  }
  // Plain names from a debug build, content-hashed ones from a release build.
  const pkg = path.join(SITE_ROOT, 'pkg');
  const files = fs.existsSync(pkg) ? fs.readdirSync(pkg) : [];
  for (const ext of ['js', 'wasm']) {
    if (!files.some((f) => new RegExp(`^valgvagt(\\.[A-Za-z0-9_-]{22})?\\.${ext}$`).test(f))) {
      problems.push(`hydration bundle missing: ${pkg}/valgvagt[.hash].${ext}`);
    }
  }
  if (!fs.existsSync(E2E_DATABASE)) {
    problems.push(`e2e database was not created: ${E2E_DATABASE}`);
  }
  if (problems.length > 0) {
    throw new Error(
      `End-to-end prerequisites missing (run \`cargo leptos build\` from the repo root first):\n  - ${problems.join('\n  - ')}`,
    );
  }
  for (const [key, value] of Object.entries(SERVER_ENV)) {
    process.env[key] = value;
  }
}
