// Shared settings for the end-to-end run: the Playwright config (web server),
// the global setup and the test helpers all use the same throw-away database.
import * as path from 'node:path';

export const E2E_PORT = 3123;
export const E2E_BASE_URL = `http://localhost:${E2E_PORT}`;
export const E2E_DB_DIR = '/tmp/valgvagt-e2e';
export const E2E_DATABASE = `${E2E_DB_DIR}/e2e.db`;

/** Repository root (end2end/..). */
export const REPO_ROOT = path.resolve(__dirname, '..');
/** Debug server binary produced by `cargo leptos build`. */
export const VALGVAGT_BIN = path.join(REPO_ROOT, 'target', 'debug', 'valgvagt');
/** Site root produced by `cargo leptos build` (contains pkg/valgvagt.{js,wasm,css}). */
export const SITE_ROOT = path.join(REPO_ROOT, 'target', 'site');

/** The loopback mail catcher (mail-catcher.mjs): SMTP in, JSON out. */
export const MAIL_CATCHER_SMTP_PORT = 2525;
export const MAIL_CATCHER_URL = 'http://127.0.0.1:2526';

/** The loopback CPR register (cpr-peer.mjs): SF1520 over mutual TLS. */
export const CPR_PEER_DIR = `${E2E_DB_DIR}/cpr`;
export const CPR_PEER_PORT = 2527;
export const CPR_PEER_URL = 'http://127.0.0.1:2528';

/** Environment for every invocation of the valgvagt binary during e2e tests. */
export const SERVER_ENV: Record<string, string> = {
  VALGVAGT_DATABASE: E2E_DATABASE,
  VALGVAGT_BIND: `127.0.0.1:${E2E_PORT}`,
  VALGVAGT_PUBLIC_URL: E2E_BASE_URL,
  LEPTOS_SITE_ROOT: SITE_ROOT,
  VALGVAGT_SMTP_URL: `smtp://127.0.0.1:${MAIL_CATCHER_SMTP_PORT}`,
  VALGVAGT_MAIL_FROM: 'Valgvagt <valg@korsbaek.example.dk>',
  // The mail catcher also plays the SMS gateway (GatewayAPI's protocol).
  VALGVAGT_SMS_URL: `${MAIL_CATCHER_URL}/rest/mtsms`,
  VALGVAGT_SMS_TOKEN: 'e2e-sms-token',
  // The municipality's CPR agreement, with the peer's test certificates.
  VALGVAGT_CPR_URL: `https://127.0.0.1:${CPR_PEER_PORT}/service/CPR/PersonBaseDataExtended/5`,
  VALGVAGT_CPR_CVR: '29189846',
  VALGVAGT_CPR_CLIENT_CERT: `${CPR_PEER_DIR}/system.pem`,
  VALGVAGT_CPR_SERVER_CA: `${CPR_PEER_DIR}/ca.pem`,
  // Digital Post on the same peer (the CVR and the certificate are the CPR's).
  VALGVAGT_DIGITAL_POST_URL: `https://127.0.0.1:${CPR_PEER_PORT}`,
  VALGVAGT_DIGITAL_POST_STS_URL: `https://127.0.0.1:${CPR_PEER_PORT}/runtime/api/rest/wstrust/v1/issue`,
};
