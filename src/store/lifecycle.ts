/**
 * The token lifecycle: a callback becomes a connection, its code is exchanged at most once, its
 * refresh token is refreshed one tab at a time. Every result is written to IndexedDB before the
 * caller can show it, and other tabs are told.
 */
import { type CallbackParams, checkCallback } from "../oauth/callback.ts";
import { explainTokenFailure } from "../oauth/explain.ts";
import { fingerprint } from "../oauth/fingerprint.ts";
import type { RelayClient, RelayTokenResult } from "../oauth/relay-client.ts";
import { normalizeTokenResponse } from "../oauth/token-set.ts";
import { custom } from "../providers/custom.ts";
import { findRecipe } from "../providers/index.ts";
import type { Recipe } from "../providers/types.ts";
import type { Db } from "./db.ts";
import type { Connection, ConnectionEvent, EventType, LastExchange, Problem } from "./records.ts";
import { redactEnvelope } from "./redact.ts";
import { getConnection, PENDING_MAX_AGE_MS, putConnection, readConnection, takePending } from "./repo.ts";

export interface LifecycleDeps {
  readonly db: Db;
  readonly relay: RelayClient;
  readonly now: () => number;
  /** `navigator.locks` where the browser has it: refreshes of one connection run one at a time across tabs. */
  readonly locks?: LockManager | undefined;
  /** Tells other tabs (and this one) that a connection changed. */
  readonly notify?: ((connectionId: string) => void) | undefined;
}

function recipeOf(provider: string): Recipe {
  return findRecipe(provider) ?? custom;
}

function newId(): string {
  return crypto.randomUUID();
}

let eventSeq = 0;
/** Event ids sort in the order this tab made them, so events of the same millisecond keep their order. */
function eventId(): string {
  eventSeq += 1;
  return `${eventSeq.toString(36).padStart(8, "0")}-${newId()}`;
}

function event(
  connectionId: string,
  at: number,
  type: EventType,
  summary: string,
  extra: Partial<
    Pick<ConnectionEvent, "exchange" | "refreshTokenFingerprint" | "previousRefreshTokenFingerprint">
  > = {},
): ConnectionEvent {
  return {
    id: eventId(),
    connectionId,
    at,
    type,
    summary,
    exchange: extra.exchange ?? null,
    refreshTokenFingerprint: extra.refreshTokenFingerprint ?? null,
    previousRefreshTokenFingerprint: extra.previousRefreshTokenFingerprint ?? null,
  };
}

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
    const check = checkCallback(params, { state: pending.state, issuer: pending.issuer });
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
      id,
      name: `${pending.clientId} · ${new Date(now).toISOString().slice(0, 16).replace("T", " ")}`,
      clientId: pending.clientId,
      provider: pending.provider,
      scopeRequested: pending.scope,
      createdAt: now,
      updatedAt: now,
      revision: 1,
      authorization: {
        code: check.code,
        codeVerifier: pending.codeVerifier,
        redirectUri: pending.redirectUri,
        receivedAt: now,
        expiresAt: codeLifetime === null ? null : now + codeLifetime * 1000,
        iss: params.iss,
        extra: params.extra,
        exchangeStartedAt: null,
      },
      tokenSet: null,
      refreshTokenStatus: "active",
      lastExchange: null,
      problem: null,
    };
    const where = pending.issuer ?? new URL(pending.authorizationUrl).origin;
    putConnection(store, connection, [
      event(id, now, "authorized", `Authorized at ${where}; code received.`),
    ]);
    return { kind: "connected", connectionId: id };
  });
  if (outcome.kind === "connected") deps.notify?.(outcome.connectionId);
  return outcome;
}

export type StepOutcome =
  | { readonly kind: "done"; readonly connection: Connection }
  /** Nothing was sent: the step was not allowed (code already sent, no refresh token…). */
  | { readonly kind: "not_sent"; readonly message: string };

/**
 * Exchanges the connection's code through the relay. The code is marked as sent, in storage, before
 * the request leaves, so a reload or a second click never sends it again.
 */
export async function exchangeCode(deps: LifecycleDeps, connectionId: string): Promise<StepOutcome> {
  const startedAt = deps.now();
  const claimed = await deps.db.tx("readwrite", async (store) => {
    const current = await readConnection(store, connectionId);
    if (current?.authorization == null) return "missing" as const;
    if (current.authorization.exchangeStartedAt !== null || current.tokenSet !== null) return "used" as const;
    const next: Connection = {
      ...current,
      authorization: { ...current.authorization, exchangeStartedAt: startedAt },
      updatedAt: startedAt,
      revision: current.revision + 1,
    };
    putConnection(store, next, []);
    return next;
  });
  if (claimed === "missing")
    return { kind: "not_sent", message: "This connection has no authorization code." };
  if (claimed === "used") {
    return {
      kind: "not_sent",
      message: "This code was already sent once; a code works only once. Authorize again for a new one.",
    };
  }
  deps.notify?.(connectionId);
  const authorization = claimed.authorization;
  if (authorization === null) throw new Error("unreachable: claimed connection has a code");
  const result = await deps.relay.token({
    client: claimed.clientId,
    grant_type: "authorization_code",
    code: authorization.code,
    redirect_uri: authorization.redirectUri,
    code_verifier: authorization.codeVerifier,
  });
  return settle(deps, connectionId, "authorization_code", result, null);
}

/**
 * Refreshes the connection's access token through the relay, one tab at a time: inside the lock the
 * stored connection is read again, and when another tab already replaced the refresh token this tab
 * adopts that result instead of spending the new token.
 */
export async function refreshConnection(
  deps: LifecycleDeps,
  connectionId: string,
  expectedRefreshToken: string | null,
): Promise<StepOutcome> {
  const run = async (): Promise<StepOutcome> => {
    const current = await getConnection(deps.db, connectionId);
    const refreshToken = current?.tokenSet?.refreshToken ?? null;
    if (current === undefined || refreshToken === null) {
      return { kind: "not_sent", message: "This connection has no refresh token." };
    }
    if (expectedRefreshToken !== null && refreshToken !== expectedRefreshToken) {
      // Another tab refreshed while this one waited for the lock: its result is already stored.
      return { kind: "done", connection: current };
    }
    if (current.refreshTokenStatus === "dead") {
      return {
        kind: "not_sent",
        message: "The provider already refused this refresh token; it will not work again. Authorize again.",
      };
    }
    const result = await deps.relay.token({
      client: current.clientId,
      grant_type: "refresh_token",
      refresh_token: refreshToken,
    });
    return settle(deps, connectionId, "refresh_token", result, refreshToken);
  };
  if (deps.locks === undefined) return run();
  return deps.locks.request(`tokendesk:refresh:${connectionId}`, run);
}

/** Writes what a token request came to, then tells other tabs. */
async function settle(
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

  let patch: Partial<Connection> = { lastExchange };
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
          { exchange, refreshTokenFingerprint: newFp, previousRefreshTokenFingerprint: oldFp },
        ),
      );
      if (rotated) {
        events.push(
          event(
            connectionId,
            receivedAt,
            "rotated",
            `Refresh token rotated: ${oldFp} replaced by ${newFp}; the old one is spent.`,
            { refreshTokenFingerprint: newFp, previousRefreshTokenFingerprint: oldFp },
          ),
        );
      }
    } else {
      const explanation = explainTokenFailure({
        grantType,
        status: upstream.status,
        error: normalized.kind === "oauth_error" ? normalized.error.error : null,
        headers: upstream.headers,
        body: upstream.body,
        refreshPolicy: recipe.refreshPolicy,
      });
      const description =
        normalized.kind === "oauth_error"
          ? (normalized.error.errorDescription ?? explanation.detail)
          : `${normalized.message} ${explanation.detail}`;
      const problem: Problem = {
        at: receivedAt,
        kind: normalized.kind,
        title: explanation.title,
        detail: description,
        next: explanation.next,
      };
      patch = { ...patch, problem };
      if (
        grantType === "refresh_token" &&
        normalized.kind === "oauth_error" &&
        normalized.error.error === "invalid_grant"
      ) {
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
