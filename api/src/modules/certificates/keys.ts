import { createCipheriv, createPrivateKey, pbkdf2Sync, randomBytes } from 'node:crypto';
import { OID, TAG, derToPem, integerDer, oidDer, tlv } from './der';

/** The CAs' private keys at rest: PKCS#8 encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC). */

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** An encrypted private key that cannot be decrypted with the given secret (or is not encrypted). */
export class KeyDecryptionError extends Error {
  constructor(message = '私钥解密失败：口令错误或密钥文件已损坏') {
    super(message);
    this.name = 'KeyDecryptionError';
  }
}

// ---------------------------------------------------------------------------------------------
// Private keys at rest
// ---------------------------------------------------------------------------------------------

/** PBKDF2-HMAC-SHA256 iterations for keys at rest (OWASP 2023 figure; ≈ 0.2 s per decryption). */
export const KEY_PBKDF2_ITERATIONS = 600_000;

/**
 * Encrypts a private key (any PEM Node reads) as PKCS#8 `ENCRYPTED PRIVATE KEY`: PBES2 with
 * PBKDF2-HMAC-SHA256 (random 16-byte salt, {@link KEY_PBKDF2_ITERATIONS}) and AES-256-CBC.
 * Standard format: `openssl pkey -in key.pem` reads it with the same passphrase.
 */
export function encryptKey(privateKeyPem: string, secret: string, options: { iterations?: number } = {}): string {
  if (!secret) throw new Error('encryptKey: secret must not be empty');
  const iterations = options.iterations ?? KEY_PBKDF2_ITERATIONS;
  const pkcs8 = createPrivateKey(privateKeyPem).export({ type: 'pkcs8', format: 'der' });
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(secret, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const encrypted = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
  const seq = (...p: Buffer[]) => tlv(TAG.SEQUENCE, ...p);
  const der = seq(
    seq(
      oidDer(OID.pbes2),
      seq(
        seq(
          oidDer(OID.pbkdf2),
          seq(
            tlv(TAG.OCTET_STRING, salt),
            integerDer(iterations),
            integerDer(32),
            seq(oidDer(OID.hmacWithSHA256), tlv(TAG.NULL)),
          ),
        ),
        seq(oidDer(OID.aes256Cbc), tlv(TAG.OCTET_STRING, iv)),
      ),
    ),
    tlv(TAG.OCTET_STRING, encrypted),
  );
  return derToPem(der, 'ENCRYPTED PRIVATE KEY');
}

/** Decrypts a key made by {@link encryptKey} (or any PKCS#8 encrypted PEM); returns PKCS#8 PEM. */
export function decryptKey(encryptedPem: string, secret: string): string {
  if (!isEncryptedPem(encryptedPem)) {
    throw new KeyDecryptionError('私钥解密失败：私钥未加密或格式不正确');
  }
  try {
    const key = createPrivateKey({ key: encryptedPem, format: 'pem', passphrase: secret });
    return key.export({ type: 'pkcs8', format: 'pem' }) as string;
  } catch {
    throw new KeyDecryptionError();
  }
}

export function isEncryptedPem(pem: string): boolean {
  return pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----');
}
