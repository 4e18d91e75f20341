// Broker accounts: the owner's list (never the ciphertext), adding one with encrypted credentials, the worker's decrypting read.
import { asc, eq } from "drizzle-orm";
import type { Db } from "../client";
import { newId } from "../../platform/ids";
import { brokerAccounts } from "../schema";
import { decryptCredentials, encryptCredentials, maskApiKey, type Credentials } from "../../platform/secrets";
import type { BrokerAccountInput } from "../../contracts/validation/broker-account";

/** The columns that may reach a browser: credentialsEncrypted is deliberately absent. */
const publicColumns = {
  id: brokerAccounts.id,
  name: brokerAccounts.name,
  kind: brokerAccounts.kind,
  exchange: brokerAccounts.exchange,
  credentialsHint: brokerAccounts.credentialsHint,
  testnet: brokerAccounts.testnet,
  createdAt: brokerAccounts.createdAt,
};

export type BrokerAccountSummary = {
  id: string;
  name: string;
  kind: "paper" | "exchange";
  exchange: string | null;
  credentialsHint: string | null;
  testnet: boolean;
  createdAt: number;
};

export async function listBrokerAccounts(db: Db, userId: string): Promise<BrokerAccountSummary[]> {
  return db
    .select(publicColumns)
    .from(brokerAccounts)
    .where(eq(brokerAccounts.userId, userId))
    .orderBy(asc(brokerAccounts.createdAt));
}
export async function createBrokerAccount(
  db: Db,
  userId: string,
  input: BrokerAccountInput,
  encryptionKey: string,
) {
  const id = newId();
  if (input.kind === "paper") {
    await db.insert(brokerAccounts).values({ id, userId, name: input.name, kind: "paper" });
    return { id };
  }
  const credentials = { apiKey: input.apiKey, secret: input.secret };
  await db.insert(brokerAccounts).values({
    id,
    userId,
    name: input.name,
    kind: "exchange",
    exchange: input.exchange,
    testnet: input.testnet,
    credentialsEncrypted: await encryptCredentials(encryptionKey, id, credentials),
    credentialsHint: maskApiKey(input.apiKey),
  });
  return { id };
}

/**
 * The worker's read when it places an order: not tenant-scoped (the subscription row already names
 * the account), and the only place credentials are decrypted.
 */
export async function loadBrokerCredentials(
  db: Db,
  encryptionKey: string,
  accountId: string,
): Promise<Credentials | null> {
  const row = await db.query.brokerAccounts.findFirst({
    where: eq(brokerAccounts.id, accountId),
    columns: { credentialsEncrypted: true },
  });
  if (!row?.credentialsEncrypted) return null;
  return decryptCredentials(encryptionKey, accountId, row.credentialsEncrypted);
}
