import { defineConfig } from '@playwright/test';
import { CPR_PEER_URL, E2E_BASE_URL, MAIL_CATCHER_URL, SERVER_ENV } from './e2e-env';

// Chromium from the OS (apt package `chromium`); Playwright's own browser
// download is skipped (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 in scripts/setup.sh).
const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
};

export default defineConfig({
  testDir: 'tests',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: 'list',
  timeout: 60_000,
  globalSetup: './global-setup.ts',
  use: {
    baseURL: E2E_BASE_URL,
    browserName: 'chromium',
    launchOptions,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'phone',
      use: {
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
      },
    },
    {
      name: 'tablet',
      use: {
        viewport: { width: 1024, height: 768 },
        hasTouch: true,
      },
    },
  ],
  // The server starts on a fresh database with the demo municipality loaded.
  // Playwright starts the web server BEFORE globalSetup runs, so the fresh
  // database is prepared by the command itself. The binary and target/site
  // must already exist (scripts/test.sh runs `cargo leptos build` first).
  webServer: [
    {
      // Mail from the app lands here (a real SMTP server on loopback).
      command: 'node mail-catcher.mjs',
      cwd: __dirname,
      url: `${MAIL_CATCHER_URL}/healthz`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      // The CPR register; it makes the certificates the server starts
      // with, so it comes first (web servers start one after the other).
      command: 'node cpr-peer.mjs',
      cwd: __dirname,
      url: `${CPR_PEER_URL}/healthz`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command:
        'rm -f /tmp/valgvagt-e2e/e2e.db* && mkdir -p /tmp/valgvagt-e2e && ' +
        '../target/debug/valgvagt demo && exec ../target/debug/valgvagt serve',
      cwd: __dirname,
      env: SERVER_ENV,
      url: `${E2E_BASE_URL}/healthz`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'pipe',
      stderr: 'pipe',
    },
  ],
});
