import type { CallbackParams } from "../../oauth/callback.ts";
import { checkCallback } from "../../oauth/callback-check.ts";
import { issuerFitsTemplate } from "../../oauth/id-token-claims.ts";
import type { Connection } from "../records.ts";
import { PENDING_MAX_AGE_MS, putConnection, takePending } from "../repo.ts";
import { event, type LifecycleDeps, minute, newConnection, newId, recipeOf } from "./shared.ts";

export type CallbackOutcome =
  | { readonly kind: "connected"; readonly connectionId: string }
  | { readonly kind: "refused"; readonly title: string; readonly message: string; readonly next: string };

/**
 * Handles the provider's answer at the redirect URI. The pending authorization is taken (read and
 * deleted) in the same transaction that creates the connection, so one answer is used at most once
 * even when two tabs open the same callback URL.
 */
export async function receiveCallback(deps: LifecycleDeps, params: CallbackParams): Promise<CallbackOutcome> {
  const now = deps.now();
  if (params.state === null || params.state === "") {
    return {
      kind: "refused",
      title: "This answer carries no state",
      message:
        "The provider's answer cannot be tied to an authorization started here, so its code was not used.",
      next: "Start the authorization again from tokendesk.",
    };
  }
  const state = params.state;
  const outcome = await deps.db.tx("readwrite", async (store): Promise<CallbackOutcome> => {
    const pending = await takePending(store, state);
    if (pending === undefined) {
      return {
        kind: "refused",
        title: "Unknown or already used authorization",
        message:
          "No authorization started in this browser matches this answer: it was already used (a reload or a second tab), started in another browser, or is more than an hour old. Its code was not sent anywhere.",
        next: "If you meant to connect, start the authorization again.",
      };
    }
    // Microsoft's multi-tenant issuer is a template ({tenantid}): any tenant's issuer fits it here;
    // the ID token's tid pins the tenant later.
    const templated = pending.issuer?.includes("{tenantid}") === true;
    const issuer =
      templated && params.iss !== null && issuerFitsTemplate(pending.issuer ?? "", params.iss)
        ? params.iss
        : pending.issuer;
    const check = checkCallback(params, { state: pending.state, issuer });
    if (!check.ok) {
      return {
        kind: "refused",
        title: check.problem === "authorization_error" ? "The provider did not authorize" : "Answer refused",
        message: check.message,
        next: "Start the authorization again.",
      };
    }
    if (now - pending.createdAt > PENDING_MAX_AGE_MS) {
      return {
        kind: "refused",
        title: "This authorization is too old",
        message: "It was started more than an hour ago, so it was not used.",
        next: "Start the authorization again.",
      };
    }
    const recipe = recipeOf(pending.provider);
    const codeLifetime = recipe.lifetimes.code.seconds;
    const id = newId();
    const connection: Connection = {
      ...newConnection(id, now, { clientId: pending.clientId, provider: pending.provider }),
      name: `${pending.clientId} · ${minute(now)}`,
      scopeRequested: pending.scope,
      authorization: {
        code: check.code,
        codeVerifier: pending.codeVerifier,
        redirectUri: pending.redirectUri,
        receivedAt: now,
        expiresAt: codeLifetime === null ? null : now + codeLifetime * 1000,
        iss: params.iss,
        extra: params.extra,
        exchangeStartedAt: null,
        nonce: pending.nonce ?? null,
      },
    };
    const where =
      pending.issuer === null || templated ? new URL(pending.authorizationUrl).origin : pending.issuer;
    putConnection(store, connection, [
      event(id, now, "authorized", `Authorized at ${where}; code received.`),
    ]);
    return { kind: "connected", connectionId: id };
  });
  if (outcome.kind === "connected") deps.notify?.(outcome.connectionId);
  return outcome;
}
