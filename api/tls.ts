/**
 * The HTTPS listener's certificate. kubectl (client-go) sends bearer tokens
 * only over TLS, so Warden always offers HTTPS beside HTTP: with the
 * configured certificate files, or else a self-signed certificate for
 * localhost and this host, created once and kept in WARDEN_DATA_DIR
 * (tls.crt, tls.key) so clients can pin it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import type { Config } from './config.ts';

export interface TlsMaterial { cert: string; key: string; certFile?: string }

export async function tlsMaterial(config: Readonly<Config>): Promise<TlsMaterial> {
  if (config.tlsCertFile && config.tlsKeyFile) {
    return { cert: readFileSync(config.tlsCertFile, 'utf8'), key: readFileSync(config.tlsKeyFile, 'utf8'), certFile: config.tlsCertFile };
  }
  const persisted = !config.dataDir.startsWith('memory://');
  const certFile = path.join(config.dataDir, 'tls.crt');
  const keyFile = path.join(config.dataDir, 'tls.key');
  if (persisted && existsSync(certFile) && existsSync(keyFile)) {
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile };
  }
  const notBefore = new Date();
  const notAfter = new Date(notBefore.getTime() + 5 * 365 * 24 * 3600 * 1000);
  const pems = await generate([{ name: 'commonName', value: 'warden' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [
        { type: 2, value: 'localhost' }, { type: 2, value: os.hostname() }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' },
      ] },
    ],
  } as never);
  if (persisted) {
    mkdirSync(config.dataDir, { recursive: true });
    writeFileSync(certFile, pems.cert);
    writeFileSync(keyFile, pems.private, { mode: 0o600 });
    return { cert: pems.cert, key: pems.private, certFile };
  }
  return { cert: pems.cert, key: pems.private };
}
