// Users and their default paper broker account.
import { eq } from "drizzle-orm";
import type { Db } from "../client";
import { newId } from "../../platform/ids";
import { hashPassword } from "../../platform/password";
import { brokerAccounts, users } from "../schema";
import type { SignUpInput } from "../../contracts/validation/account";

export class EmailTakenError extends Error {
  readonly field = "email";
  constructor() {
    super("An account with this email already exists");
  }
}

/** Creates a user with a hashed password and a paper broker account (every new user gets one). */
export async function createUser(db: Db, input: SignUpInput, opts: { passwordHash?: string } = {}) {
  const passwordHash = opts.passwordHash ?? (await hashPassword(input.password));
  const user = { id: newId(), email: input.email, name: input.name, passwordHash };
  try {
    await db.batch([
      db.insert(users).values(user),
      db
        .insert(brokerAccounts)
        .values({ id: newId(), userId: user.id, name: "Paper account", kind: "paper" }),
    ]);
  } catch (error) {
    if (String((error as Error).message ?? error).includes("UNIQUE constraint failed: users.email")) {
      throw new EmailTakenError();
    }
    throw error;
  }
  return { id: user.id, email: user.email, name: user.name };
}

export async function findUserByEmail(db: Db, email: string) {
  return db.query.users.findFirst({ where: eq(users.email, email.trim().toLowerCase()) });
}

export async function getUser(db: Db, userId: string) {
  return db.query.users.findFirst({
    where: eq(users.id, userId),
    columns: { id: true, email: true, name: true, createdAt: true },
  });
}
