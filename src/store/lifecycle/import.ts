import { fingerprint } from "../../oauth/fingerprint.ts";
import { normalizeTokenResponse, type TokenSet } from "../../oauth/token-set.ts";
import type { Connection } from "../records.ts";
import { putConnection } from "../repo.ts";
import { event, type LifecycleDeps, minute, newConnection, newId, recipeOf } from "./shared.ts";

export type ImportOutcome =
  | { readonly kind: "imported"; readonly connectionId: string }
  | { readonly kind: "refused"; readonly message: string };

/**
 * Creates a connection from a pasted token response (JSON) or a bare refresh token. Lifetimes in a
 * pasted response are counted from now: the page cannot know when it was issued.
 */
export async function importTokens(
  deps: LifecycleDeps,
  input: { readonly clientId: string; readonly provider: string; readonly text: string },
): Promise<ImportOutcome> {
  const text = input.text.trim();
  const now = deps.now();
  const recipe = recipeOf(input.provider);
  let tokenSet: TokenSet;
  let what: string;
  if (text === "")
    return { kind: "refused", message: "Paste a token response (JSON) or a refresh token first." };
  if (text.startsWith("{")) {
    const normalized = normalizeTokenResponse({
      status: 200,
      contentType: "application/json",
      body: text,
      receivedAt: now,
      recipe,
    });
    if (normalized.kind === "oauth_error") {
      return {
        kind: "refused",
        message: `This is an error answer ("${normalized.error.error}"), not tokens: nothing to import.`,
      };
    }
    if (normalized.kind === "unusable") {
      return {
        kind: "refused",
        message: /not JSON|not an OAuth JSON/.test(normalized.message)
          ? "This is not valid JSON. Paste the token endpoint's whole answer, from { to }."
          : `This JSON is not a token response: it has no "access_token".`,
      };
    }
    tokenSet = normalized.tokenSet;
    what = "a token response; its lifetimes are counted from now, the tokens may be older";
  } else {
    if (/\s/.test(text) || text.length < 8) {
      return {
        kind: "refused",
        message:
          "A refresh token is one word without spaces. Paste it alone, or paste the whole token response JSON.",
      };
    }
    tokenSet = {
      accessToken: null,
      tokenType: "Bearer",
      scope: null,
      refreshToken: text,
      idToken: null,
      receivedAt: now,
      accessExpiresAt: null,
      refreshExpiresAt: null,
      refreshExpirySource: "none",
      refreshReceivedAt: now,
      raw: {},
    };
    what = "a bare refresh token; refresh to get an access token";
  }
  const id = newId();
  const refreshFp = tokenSet.refreshToken === null ? null : await fingerprint(tokenSet.refreshToken);
  const connection: Connection = {
    ...newConnection(id, now, input),
    name: `${input.clientId} · imported ${minute(now)}`,
    scopeRequested: tokenSet.scope ?? "",
    tokenSet,
  };
  await deps.db.tx("readwrite", (store) => {
    putConnection(store, connection, [
      event(id, now, "imported", `Imported ${what}.`, {
        refreshTokenFingerprint: refreshFp,
        accessExpiresAt: tokenSet.accessToken === null ? undefined : tokenSet.accessExpiresAt,
        refreshExpiresAt: tokenSet.refreshToken === null ? undefined : tokenSet.refreshExpiresAt,
      }),
    ]);
  });
  deps.notify?.(id);
  return { kind: "imported", connectionId: id };
}
