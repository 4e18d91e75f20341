import { decryptCredentials, encryptCredentials, maskApiKey, CredentialsError } from "./secrets";

const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
const otherKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
const credentials = { apiKey: "AKIA1234567890WXYZ", secret: "s3cr3t-value-that-must-not-leak" };

describe("broker credentials encryption", () => {
  it("round-trips and never contains the plaintext", async () => {
    const sealed = await encryptCredentials(key, "acc-1", credentials);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(credentials.secret);
    expect(sealed).not.toContain(credentials.apiKey);
    await expect(decryptCredentials(key, "acc-1", sealed)).resolves.toEqual(credentials);
  });

  it("uses a fresh IV: the same credentials encrypt differently", async () => {
    const a = await encryptCredentials(key, "acc-1", credentials);
    const b = await encryptCredentials(key, "acc-1", credentials);
    expect(a).not.toBe(b);
  });

  it("refuses a wrong key, another account's row and a tampered ciphertext", async () => {
    const sealed = await encryptCredentials(key, "acc-1", credentials);
    await expect(decryptCredentials(otherKey, "acc-1", sealed)).rejects.toBeInstanceOf(CredentialsError);
    await expect(decryptCredentials(key, "acc-2", sealed)).rejects.toBeInstanceOf(CredentialsError);
    const [v, iv, body] = sealed.split(".");
    const flipped = body.slice(0, 5) + (body[5] === "A" ? "B" : "A") + body.slice(6);
    await expect(decryptCredentials(key, "acc-1", `${v}.${iv}.${flipped}`)).rejects.toBeInstanceOf(
      CredentialsError,
    );
  });

  it("refuses a key that is not 32 bytes", async () => {
    await expect(encryptCredentials(btoa("short"), "acc-1", credentials)).rejects.toThrow("32 bytes");
  });

  it("masks an API key to its first and last 4 characters", () => {
    expect(maskApiKey("AKIA1234567890WXYZ")).toBe("AKIA••••WXYZ");
    expect(maskApiKey("short")).toBe("••••");
  });
});
