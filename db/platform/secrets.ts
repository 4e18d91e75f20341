// Broker credentials encryption at rest: AES-256-GCM through Web Crypto (Node and Deno), key from config.
import { z } from "zod";

export const credentialsSchema = z.object({ apiKey: z.string().min(1), secret: z.string().min(1) });
export type Credentials = z.infer<typeof credentialsSchema>;

export class CredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CredentialsError";
  }
}

const VERSION = "v1";
const enc = new TextEncoder();
const toB64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const fromB64 = (s: string) =>
  Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

async function importKey(keyB64: string): Promise<CryptoKey> {
  const raw = fromB64(keyB64);
  if (raw.length !== 32) throw new CredentialsError("The encryption key must be 32 bytes in base64");
  return crypto.subtle.importKey("raw", raw as BufferSource, "AES-GCM", false, ["encrypt", "decrypt"]);
}

/**
 * `v1.<iv>.<ciphertext+tag>`. The account id is bound as additional data, so a ciphertext copied
 * into another account's row does not decrypt there.
 */
export async function encryptCredentials(
  keyB64: string,
  accountId: string,
  credentials: Credentials,
): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv: iv as BufferSource, additionalData: enc.encode(accountId) as BufferSource },
    await importKey(keyB64),
    enc.encode(JSON.stringify(credentialsSchema.parse(credentials))) as BufferSource,
  );
  return `${VERSION}.${toB64(iv)}.${toB64(new Uint8Array(sealed))}`;
}

/** The worker's side: throws a CredentialsError for a wrong key, a tampered or a moved ciphertext. */
export async function decryptCredentials(
  keyB64: string,
  accountId: string,
  sealed: string,
): Promise<Credentials> {
  const [version, iv, body] = sealed.split(".");
  if (version !== VERSION || !iv || !body) throw new CredentialsError("Unknown credentials format");
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt(
      {
        name: "AES-GCM",
        iv: fromB64(iv) as BufferSource,
        additionalData: enc.encode(accountId) as BufferSource,
      },
      await importKey(keyB64),
      fromB64(body) as BufferSource,
    );
  } catch {
    throw new CredentialsError("The credentials could not be decrypted (wrong key or altered data)");
  }
  return credentialsSchema.parse(JSON.parse(new TextDecoder().decode(plain)));
}

/** What the owner may see of an API key: the first and last 4 characters. */
export function maskApiKey(apiKey: string): string {
  return apiKey.length <= 8 ? "••••" : `${apiKey.slice(0, 4)}••••${apiKey.slice(-4)}`;
}
