import {
  explainTokenFailure,
  refusesRefreshToken,
  retryAfterSeconds,
  sameRequestForm,
} from "../../oauth/explain.ts";
import { fingerprint } from "../../oauth/fingerprint.ts";
import { identityOf } from "../../oauth/id-token-claims.ts";
import type { RelayTokenResult } from "../../oauth/relay-client.ts";
import { normalizeTokenResponse } from "../../oauth/token-set.ts";
import type { Connection, ConnectionEvent, IdTokenCheck, LastExchange, Problem } from "../records.ts";
import { redactEnvelope } from "../redact.ts";
import { getConnection, putConnection, readConnection } from "../repo.ts";
import { event, type LifecycleDeps, recipeOf, type StepOutcome } from "./shared.ts";

/** Writes what a token request came to, then tells other tabs. */
export async function settle(
  deps: LifecycleDeps,
  connectionId: string,
  grantType: "authorization_code" | "refresh_token",
  result: RelayTokenResult,
  usedRefreshToken: string | null,
): Promise<StepOutcome> {
  const receivedAt = deps.now();
  const exchange = result.kind === "envelope" ? await redactEnvelope(result.envelope) : null;
  const before = await getConnection(deps.db, connectionId);
  if (before === undefined) return { kind: "not_sent", message: "The connection was forgotten meanwhile." };
  const recipe = recipeOf(before.provider);
  const lastExchange: LastExchange = {
    at: receivedAt,
    grantType,
    envelope: result.kind === "envelope" ? result.envelope : null,
    sent: result.kind === "envelope" ? result.envelope.sent : result.kind === "unknown" ? result.sent : null,
    relayError:
      result.kind === "envelope"
        ? null
        : { status: result.status, error: result.error.error, description: result.error.error_description },
  };
  const verb = grantType === "authorization_code" ? "Exchange" : "Refresh";

  let patch: Partial<Connection> = { lastExchange, inFlight: null };
  const events: ConnectionEvent[] = [];
  if (result.kind === "envelope") {
    const { upstream } = result.envelope;
    const normalized = normalizeTokenResponse({
      status: upstream.status,
      contentType: upstream.headers["content-type"],
      body: upstream.body,
      receivedAt,
      recipe,
      previous: grantType === "refresh_token" ? before.tokenSet : null,
    });
    if (normalized.kind === "tokens") {
      const { tokenSet, rotated } = normalized;
      const newFp = tokenSet.refreshToken === null ? null : await fingerprint(tokenSet.refreshToken);
      const oldFp = usedRefreshToken === null ? null : await fingerprint(usedRefreshToken);
      patch = { ...patch, tokenSet, refreshTokenStatus: "active", problem: null };
      if (tokenSet.idToken !== null && tokenSet.idTokenReceivedAt === receivedAt) {
        // A new ID token: stored now as not checked yet; checkIdToken writes its verdict after.
        patch = { ...patch, idTokenCheck: pendingIdTokenCheck(before, grantType, receivedAt) };
      }
      const lifetime =
        tokenSet.accessExpiresAt === null
          ? "no expiry stated"
          : `expires in ${Math.round((tokenSet.accessExpiresAt - receivedAt) / 1000)} s`;
      events.push(
        event(
          connectionId,
          receivedAt,
          grantType === "authorization_code" ? "exchanged" : "refreshed",
          `${verb}: ${upstream.status}, new access token (${lifetime})${tokenSet.refreshToken === null ? ", no refresh token" : ""}.`,
          {
            exchange,
            refreshTokenFingerprint: newFp,
            previousRefreshTokenFingerprint: oldFp,
            accessExpiresAt: tokenSet.accessExpiresAt,
            refreshExpiresAt: tokenSet.refreshToken === null ? undefined : tokenSet.refreshExpiresAt,
          },
        ),
      );
      if (rotated) {
        events.push(
          event(
            connectionId,
            receivedAt,
            "rotated",
            recipe.refreshPolicy === "reusable"
              ? `New refresh token ${newFp} issued beside ${oldFp}; for this provider the old one stays valid.`
              : `Refresh token rotated: ${oldFp} replaced by ${newFp}; the old one is spent.`,
            { refreshTokenFingerprint: newFp, previousRefreshTokenFingerprint: oldFp },
          ),
        );
      }
    } else {
      const error = normalized.kind === "oauth_error" ? normalized.error.error : null;
      // The connection's previous refresh, when it worked and had this one's form: then a refusal is
      // about the refresh token, whatever error code the server chose for it.
      const previous = before.lastExchange;
      const sameFormSucceededAt =
        grantType === "refresh_token" &&
        previous?.grantType === "refresh_token" &&
        previous.envelope != null &&
        previous.envelope.upstream.status >= 200 &&
        previous.envelope.upstream.status < 300 &&
        sameRequestForm(previous.envelope.sent, result.envelope.sent)
          ? previous.at
          : null;
      const explanation = explainTokenFailure({
        grantType,
        status: upstream.status,
        error,
        headers: upstream.headers,
        body: upstream.body,
        refreshPolicy: recipe.refreshPolicy,
        sameFormSucceededAt,
      });
      // Our explanation first; the provider's own words after it, quoted, when it gave any.
      const providerSaid = normalized.kind === "oauth_error" ? normalized.error.errorDescription : null;
      const description =
        normalized.kind === "oauth_error"
          ? `${explanation.detail}${providerSaid ? ` The provider said: "${providerSaid}".` : ""}`
          : `${normalized.message} ${explanation.detail}`;
      const problem: Problem = {
        at: receivedAt,
        kind: normalized.kind,
        title: explanation.title,
        detail: description,
        next: explanation.next,
      };
      patch = { ...patch, problem };
      if (upstream.status === 429) {
        // Without Retry-After, FreeAgent's documented window (60 s) is a sane wait.
        const wait = retryAfterSeconds(upstream.headers, receivedAt) ?? 60;
        patch = { ...patch, retryAfterUntil: receivedAt + wait * 1000 };
      }
      if (grantType === "refresh_token" && refusesRefreshToken(error, sameFormSucceededAt)) {
        patch = { ...patch, refreshTokenStatus: "dead" };
      }
      events.push(
        event(
          connectionId,
          receivedAt,
          "failed",
          `${verb} failed: ${upstream.status}. ${explanation.title}.`,
          { exchange },
        ),
      );
    }
  } else if (result.kind === "refused") {
    // The relay refused before calling the provider: nothing was spent, so a code may be sent again.
    const problem: Problem = {
      at: receivedAt,
      kind: "refused",
      title: `The relay refused the ${verb.toLowerCase()} (${result.error.error})`,
      detail: result.error.error_description,
      next: "Nothing reached the provider. Fix what the relay names, then try again.",
    };
    patch = { ...patch, problem };
    if (grantType === "authorization_code" && before.authorization !== null) {
      patch = { ...patch, authorization: { ...before.authorization, exchangeStartedAt: null } };
    }
    events.push(
      event(connectionId, receivedAt, "failed", `${verb} refused by the relay: ${result.error.error}.`),
    );
  } else {
    const problem: Problem = {
      at: receivedAt,
      kind: "outcome_unknown",
      title: `${verb}: outcome unknown`,
      detail: `${result.error.error_description} The provider may have processed it${grantType === "refresh_token" ? " and rotated the refresh token" : " and spent the code"}.`,
      next:
        grantType === "refresh_token"
          ? "tokendesk will not retry by itself. The stored token set is the last confirmed one; try one refresh when the network is back, and if the provider refuses it, authorize again."
          : "Authorize again for a new code.",
    };
    patch = { ...patch, problem };
    if (grantType === "refresh_token") patch = { ...patch, refreshTokenStatus: "unknown" };
    events.push(
      event(connectionId, receivedAt, "failed", `${verb}: outcome unknown (${result.error.error}).`),
    );
  }

  const written = await deps.db.tx("readwrite", async (store) => {
    const current = await readConnection(store, connectionId);
    if (current === undefined) return undefined;
    const next: Connection = { ...current, ...patch, updatedAt: receivedAt, revision: current.revision + 1 };
    putConnection(store, next, events);
    return next;
  });
  if (written === undefined) return { kind: "not_sent", message: "The connection was forgotten meanwhile." };
  deps.notify?.(connectionId);
  return { kind: "done", connection: written };
}

/** A newly received ID token's check, before it is checked: what it must be compared with. */
function pendingIdTokenCheck(
  before: Connection,
  grantType: "authorization_code" | "refresh_token",
  receivedAt: number,
): IdTokenCheck {
  // A refreshed ID token must name whom the first one named (OpenID Connect Core §12.2).
  const original =
    grantType === "refresh_token"
      ? (before.idTokenCheck?.original ?? identityOf(before.tokenSet?.idToken))
      : null;
  return { receivedAt, grantType, original, checkedAt: null, verdict: null };
}
