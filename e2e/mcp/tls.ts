// A self-signed certificate for 127.0.0.1, made once per E2E_PORT with openssl, for the https Client
// ID Metadata Document of e2e/mcp.spec.ts: the MCP SDK takes only an https client_id URL, and the
// provider under test trusts this certificate through NODE_EXTRA_CA_CERTS (playwright.config.ts).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface TestCertificate {
  keyFile: string;
  certFile: string;
}

/** The certificate's files under `dir` (made when missing): a P-256 key, 7 days, SAN IP:127.0.0.1. */
export function ensureTestCertificate(dir: string): TestCertificate {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  if (!fs.existsSync(keyFile) || !fs.existsSync(certFile)) {
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '7',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'ignore' });
  }
  return { keyFile, certFile };
}

/** The key and certificate as https.createServer takes them. */
export function readTestCertificate(c: TestCertificate): { key: string; cert: string } {
  return { key: fs.readFileSync(c.keyFile, 'utf8'), cert: fs.readFileSync(c.certFile, 'utf8') };
}
