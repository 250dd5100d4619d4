// TOTP secrets at rest: sealed with AES-256-GCM under AUTH_SECRET_KEY (or a key generated into
// DATA_DIR/auth-secret-key), so a copy of the ClickHouse tables alone cannot mint codes.
// Node's crypto does this in a few lines; no library adds anything here.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export class SecretBox {
  private readonly key: Buffer;

  constructor(secret: string) {
    // The setting is text of any length ≥ 32; a hash turns it into exactly 256 bits.
    this.key = createHash('sha256').update(secret).digest();
  }

  /** "v1.<iv>.<tag>.<ciphertext>", base64url. */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** The plain text, or null when it was sealed under another key or altered. */
  open(sealed: string): string | null {
    const [v, iv, tag, body] = sealed.split('.');
    if (v !== 'v1' || !iv || !tag || body === undefined) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
