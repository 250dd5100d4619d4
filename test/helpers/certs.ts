// Certificates for TLS tests, made with openssl (as test/dashboard/tls.test.ts does): a private
// CA, and server and client certificates it signs. EC P-256 keys, valid one day.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pem {
  certPath: string;
  keyPath: string;
  cert: Buffer;
  key: Buffer;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

function read(certPath: string, keyPath: string): Pem {
  return { certPath, keyPath, cert: readFileSync(certPath), key: readFileSync(keyPath) };
}

const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A self-signed CA named `name`, its files in `dir`. */
export function makeCa(dir: string, name: string): Pem {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  openssl(['req', '-x509', ...NEW_KEY, '-days', '1', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', keyPath, '-out', certPath]);
  return read(certPath, keyPath);
}

/**
 * A certificate signed by `ca`: for a server at 127.0.0.1 (subjectAltName IP:127.0.0.1) or for a
 * client whose common name is `name` (ClickHouse's ssl_certificate users are matched on it).
 */
export function issue(dir: string, ca: Pem, name: string, use: 'server' | 'client'): Pem {
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  openssl(['req', ...NEW_KEY, '-subj', `/CN=${name}`, '-keyout', keyPath, '-out', csr]);
  writeFileSync(ext, use === 'server' ? 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' : 'extendedKeyUsage=clientAuth\n');
  openssl(['x509', '-req', '-in', csr, '-CA', ca.certPath, '-CAkey', ca.keyPath, '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', certPath]);
  return read(certPath, keyPath);
}
