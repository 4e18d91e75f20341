// Bearer-token authentication of API requests (personal API tokens, stored hashed).
import type { AppLoadContext } from "@remix-run/node";
import { authenticateApiToken } from "../../db/store/queries/api-tokens";
import { ApiError } from "./errors.server";

export interface ApiUser {
  userId: string;
  tokenId: string;
  name: string;
  email: string;
}

const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="candlecast"' };

/** The token's user, or a thrown 401 (missing, malformed, unknown and revoked tokens look the same). */
export async function requireApiUser(request: Request, context: AppLoadContext): Promise<ApiUser> {
  const header = request.headers.get("Authorization");
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) {
    throw new ApiError(
      401,
      "unauthorized",
      "Send a personal API token: Authorization: Bearer <token>",
      undefined,
      CHALLENGE,
    );
  }
  const found = await authenticateApiToken(context.app.store.db, match[1]);
  if (!found)
    throw new ApiError(
      401,
      "unauthorized",
      "This API token is not valid or was revoked",
      undefined,
      CHALLENGE,
    );
  return found;
}
