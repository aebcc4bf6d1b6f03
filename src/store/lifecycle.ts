/**
 * The token lifecycle: a callback becomes a connection, its code is exchanged at most once, its
 * refresh token is refreshed (or a token revoked) one tab at a time. Every result is written to
 * IndexedDB before the caller can show it, and other tabs are told.
 */
import { type CallbackParams, checkCallback } from "../oauth/callback.ts";
import { explainTokenFailure, retryAfterSeconds } from "../oauth/explain.ts";
import { fingerprint } from "../oauth/fingerprint.ts";
import type { RelayClient, RelayTokenResult } from "../oauth/relay-client.ts";
import { readRevocation } from "../oauth/revocation.ts";
import { normalizeTokenResponse, type TokenSet } from "../oauth/token-set.ts";
import { custom } from "../providers/custom.ts";
import { findRecipe } from "../providers/index.ts";
import type { Recipe } from "../providers/types.ts";
import type { RevocationTokenType } from "../relay/contract.ts";
import type { Db } from "./db.ts";
import {
  type Connection,
  type ConnectionEvent,
  DEFAULT_SETTINGS,
  type EventType,
  type LastExchange,
  type Problem,
} from "./records.ts";
import { redactEnvelope } from "./redact.ts";
import { rateLimitWait } from "./refresh-limit.ts";
import { getConnection, PENDING_MAX_AGE_MS, putConnection, readConnection, takePending } from "./repo.ts";
import type { TokenStep } from "./worker-protocol.ts";

export { rateLimitWait };

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

/** A UTC minute for default connection names, e.g. `2026-11-23 15:01`. */
function minute(at: number): string {
  return new Date(at).toISOString().slice(0, 16).replace("T", " ");
}

/** A connection with nothing in it yet: the defaults every new connection starts from. */
function newConnection(id: string, now: number, who: { clientId: string; provider: string }): Connection {
  return {
    id,
    name: who.clientId,
    clientId: who.clientId,
    provider: who.provider,
    scopeRequested: "",
    createdAt: now,
    updatedAt: now,
    revision: 1,
    authorization: null,
    tokenSet: null,
    refreshTokenStatus: "active",
    lastExchange: null,
    problem: null,
    settings: DEFAULT_SETTINGS,
    handedOffAt: null,
    inFlight: null,
    recentRefreshes: [],
    retryAfterUntil: null,
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
      },
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
  | { readonly kind: "not_sent"; readonly message: string; readonly reason?: NotSentReason };

export type NotSentReason =
  | "no_code"
  | "code_used"
  | "no_refresh_token"
  | "no_access_token"
  | "dead"
  | "needs_confirmation"
  | "rate_limited"
  | "auto_refresh_off"
  | "lock_timeout"
  | "forgotten";

/** How long a tab waits for another tab's refresh of the same connection before giving up (never stealing). */
export const LOCK_WAIT_MS = 30_000;

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
      inFlight: { grantType: "authorization_code", startedAt },
      updatedAt: startedAt,
      revision: current.revision + 1,
    };
    putConnection(store, next, []);
    return next;
  });
  if (claimed === "missing") {
    return { kind: "not_sent", reason: "no_code", message: "This connection has no authorization code." };
  }
  if (claimed === "used") {
    return {
      kind: "not_sent",
      reason: "code_used",
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

export interface RefreshOptions {
  /** The refresh token the caller saw; when storage holds another, a different tab already refreshed. */
  readonly expectedRefreshToken: string | null;
  /** The user confirmed refreshing a handed-off connection (which invalidates the server's copy). */
  readonly confirmHandedOff?: boolean;
  /** `auto` refreshes only while auto-refresh is on and nothing needs a person's judgement. */
  readonly trigger?: "user" | "auto";
}

/** Why a refresh must not be sent now, or null when it may. Checked again inside the lock. */
function refreshBlocker(
  current: Connection,
  options: RefreshOptions,
  recipe: Recipe,
  now: number,
): { reason: NotSentReason; message: string } | null {
  if (current.refreshTokenStatus === "dead") {
    return {
      reason: "dead",
      message: "The provider already refused this refresh token; it will not work again. Authorize again.",
    };
  }
  const auto = options.trigger === "auto";
  if (
    auto &&
    (!current.settings.autoRefresh || current.handedOffAt !== null || current.refreshTokenStatus !== "active")
  ) {
    return { reason: "auto_refresh_off", message: "Automatic refresh is off for this connection." };
  }
  if (
    current.handedOffAt !== null &&
    recipe.refreshPolicy !== "reusable" &&
    options.confirmHandedOff !== true
  ) {
    return {
      reason: "needs_confirmation",
      message:
        "This refresh token was handed off to a server. A refresh here replaces it, and the server's copy stops working. Confirm to refresh anyway.",
    };
  }
  const wait = rateLimitWait(current, recipe, now);
  if (wait > 0) {
    return {
      reason: "rate_limited",
      message: `The provider limits refreshes; the next one is allowed in ${Math.ceil(wait / 1000)} s.`,
    };
  }
  return null;
}

/**
 * Refreshes the connection's access token through the relay, one refresh per connection at a time
 * across tabs (a Web Lock). Inside the lock the stored connection is read again: when another tab
 * already replaced the refresh token, this one adopts that result instead of spending the new token;
 * when a previous holder died mid-request, its outcome is recorded as unknown and nothing is resent.
 */
export async function refreshConnection(
  deps: LifecycleDeps,
  connectionId: string,
  options: RefreshOptions,
): Promise<StepOutcome> {
  const run = async (): Promise<StepOutcome> => {
    const now = deps.now();
    const claimed = await deps.db.tx(
      "readwrite",
      async (store): Promise<StepOutcome | { send: Connection; token: string }> => {
        const current = await readConnection(store, connectionId);
        if (current === undefined)
          return { kind: "not_sent", reason: "forgotten", message: "This connection was forgotten." };
        const refreshToken = current.tokenSet?.refreshToken ?? null;
        if (refreshToken === null) {
          return {
            kind: "not_sent",
            reason: "no_refresh_token",
            message: "This connection has no refresh token.",
          };
        }
        if (options.expectedRefreshToken !== null && refreshToken !== options.expectedRefreshToken) {
          // Another tab refreshed while this one waited for the lock: its result is already stored.
          return { kind: "done", connection: current };
        }
        if (current.inFlight !== null) {
          // We hold the lock, so whoever sent that request is gone: its answer will never be stored.
          const next = orphanedInFlight(current, now);
          putConnection(store, next.connection, next.events);
          return { kind: "done", connection: next.connection };
        }
        const recipe = recipeOf(current.provider);
        const blocker = refreshBlocker(current, options, recipe, now);
        if (blocker !== null) return { kind: "not_sent", ...blocker };
        const window = (recipe.refreshRateLimit?.perSeconds ?? 60) * 1000;
        const next: Connection = {
          ...current,
          inFlight: { grantType: "refresh_token", startedAt: now },
          recentRefreshes: [...current.recentRefreshes.filter((t) => now - t < window), now],
          updatedAt: now,
          revision: current.revision + 1,
        };
        putConnection(store, next, []);
        return { send: next, token: refreshToken };
      },
    );
    if (!("send" in claimed)) {
      if (claimed.kind === "done") deps.notify?.(connectionId);
      return claimed;
    }
    const result = await deps.relay.token({
      client: claimed.send.clientId,
      grant_type: "refresh_token",
      refresh_token: claimed.token,
    });
    return settle(deps, connectionId, "refresh_token", result, claimed.token);
  };
  return withConnectionLock(deps, connectionId, run);
}

/**
 * Runs `run` holding the connection's Web Lock, the one refreshes and revocations share, so neither
 * overlaps the other in any tab. Gives up (never steals) after {@link LOCK_WAIT_MS}.
 */
async function withConnectionLock(
  deps: LifecycleDeps,
  connectionId: string,
  run: () => Promise<StepOutcome>,
): Promise<StepOutcome> {
  if (deps.locks === undefined) return run();
  try {
    return await deps.locks.request(
      `tokendesk:refresh:${connectionId}`,
      { signal: AbortSignal.timeout(LOCK_WAIT_MS) },
      run,
    );
  } catch (error) {
    if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) {
      return {
        kind: "not_sent",
        reason: "lock_timeout",
        message:
          "Another tab has been refreshing or revoking for this connection for over 30 s and seems stuck. Nothing was sent from here; close other tokendesk tabs and try again.",
      };
    }
    throw error;
  }
}

export interface RevokeOptions {
  /**
   * The user confirmed. Required for a refresh token: revoking it ends it for good whatever the
   * refresh policy, and every copy with it (a server's too).
   */
  readonly confirmed?: boolean;
}

/**
 * Revokes the connection's refresh or access token at the provider (RFC 7009) through the relay,
 * under the lock refreshes take, so a revocation and a refresh never race. A 200 counts as done
 * whether the token was live or already invalid (§2.2): the refresh token is marked dead, or the
 * access token dropped. Any other answer leaves the token as it was and says why in `problem`.
 */
export async function revokeToken(
  deps: LifecycleDeps,
  connectionId: string,
  which: RevocationTokenType,
  options: RevokeOptions = {},
): Promise<StepOutcome> {
  const run = async (): Promise<StepOutcome> => {
    const now = deps.now();
    const claimed = await deps.db.tx(
      "readwrite",
      async (store): Promise<StepOutcome | { send: Connection; token: string }> => {
        const current = await readConnection(store, connectionId);
        if (current === undefined)
          return { kind: "not_sent", reason: "forgotten", message: "This connection was forgotten." };
        const token =
          which === "refresh_token" ? current.tokenSet?.refreshToken : current.tokenSet?.accessToken;
        if (token == null) {
          return which === "refresh_token"
            ? {
                kind: "not_sent",
                reason: "no_refresh_token",
                message: "This connection has no refresh token.",
              }
            : {
                kind: "not_sent",
                reason: "no_access_token",
                message: "This connection has no access token.",
              };
        }
        if (which === "refresh_token" && options.confirmed !== true) {
          return {
            kind: "not_sent",
            reason: "needs_confirmation",
            message:
              "Revoking the refresh token ends it for good, and every copy of it, a server's too. Confirm to revoke it.",
          };
        }
        if (current.inFlight !== null) {
          // As for a refresh: whoever sent that request is gone, and its outcome must be said first.
          const next = orphanedInFlight(current, now);
          putConnection(store, next.connection, next.events);
          return { kind: "done", connection: next.connection };
        }
        return { send: current, token };
      },
    );
    if (!("send" in claimed)) {
      if (claimed.kind === "done") deps.notify?.(connectionId);
      return claimed;
    }
    const result = await deps.relay.revoke({
      client: claimed.send.clientId,
      token: claimed.token,
      token_type_hint: which,
    });
    return settleRevocation(deps, connectionId, which, claimed.token, result);
  };
  return withConnectionLock(deps, connectionId, run);
}

/** Writes what a revocation came to, with its history event, then tells other tabs. */
async function settleRevocation(
  deps: LifecycleDeps,
  connectionId: string,
  which: RevocationTokenType,
  token: string,
  result: RelayTokenResult,
): Promise<StepOutcome> {
  const at = deps.now();
  const verdict = readRevocation(result, which, at);
  const exchange = result.kind === "envelope" ? await redactEnvelope(result.envelope) : null;
  const fp = await fingerprint(token);
  const name = which === "refresh_token" ? "refresh token" : "access token";
  const written = await deps.db.tx("readwrite", async (store) => {
    const current = await readConnection(store, connectionId);
    if (current === undefined) return undefined;
    let next: Connection = { ...current, updatedAt: at, revision: current.revision + 1 };
    let historyLine: ConnectionEvent;
    if (verdict.kind === "revoked") {
      const tokens = current.tokenSet;
      // Only the token that was revoked: without Web Locks another tab may have replaced it meanwhile.
      if (which === "refresh_token" && tokens?.refreshToken === token) {
        next = { ...next, refreshTokenStatus: "dead", problem: null };
      } else if (which === "access_token" && tokens?.accessToken === token) {
        next = { ...next, tokenSet: { ...tokens, accessToken: null, accessExpiresAt: null }, problem: null };
      }
      historyLine = event(
        connectionId,
        at,
        "revoked",
        `Revoked the ${name} ${fp}: the provider answered 200, which also means "already invalid" (RFC 7009 §2.2); it will not work again.`,
        { exchange, refreshTokenFingerprint: which === "refresh_token" ? fp : null },
      );
    } else {
      const problem: Problem = {
        at,
        kind:
          verdict.kind === "refused"
            ? "refused"
            : verdict.kind === "unknown"
              ? "outcome_unknown"
              : verdict.error === null
                ? "unusable"
                : "oauth_error",
        title: verdict.title,
        detail: verdict.detail,
        next: verdict.next,
      };
      next = { ...next, problem };
      historyLine = event(connectionId, at, "failed", `Revocation of the ${name} ${fp}: ${verdict.title}.`, {
        exchange,
      });
    }
    putConnection(store, next, [historyLine]);
    return next;
  });
  if (written === undefined) return { kind: "not_sent", message: "The connection was forgotten meanwhile." };
  deps.notify?.(connectionId);
  return { kind: "done", connection: written };
}

/** Runs one step a page asked for, in the shared worker or in the page itself: the same code either way. */
export function runTokenStep(deps: LifecycleDeps, step: TokenStep): Promise<StepOutcome> {
  switch (step.op) {
    case "exchange":
      return exchangeCode(deps, step.connectionId);
    case "refresh":
      return refreshConnection(deps, step.connectionId, step.options);
    case "revoke":
      return revokeToken(deps, step.connectionId, step.which, step.options);
  }
}

/** The connection once a request whose sender died is recorded as having an unknown outcome. */
function orphanedInFlight(
  current: Connection,
  now: number,
): { connection: Connection; events: ConnectionEvent[] } {
  const inFlight = current.inFlight;
  const refresh = inFlight?.grantType === "refresh_token";
  const problem: Problem = {
    at: now,
    kind: "outcome_unknown",
    title: `${refresh ? "Refresh" : "Exchange"}: outcome unknown`,
    detail: `A ${refresh ? "refresh" : "code exchange"} was sent at ${new Date(inFlight?.startedAt ?? now).toISOString()} from a tab that closed before its answer was stored. The provider may have ${refresh ? "rotated the refresh token" : "spent the code"}.`,
    next: refresh
      ? "tokendesk did not resend it. Try one refresh; if the provider refuses it, authorize again."
      : "Authorize again for a new code.",
  };
  return {
    connection: {
      ...current,
      inFlight: null,
      problem,
      refreshTokenStatus: refresh ? "unknown" : current.refreshTokenStatus,
      updatedAt: now,
      revision: current.revision + 1,
    },
    events: [
      event(
        current.id,
        now,
        "failed",
        `${refresh ? "Refresh" : "Exchange"}: outcome unknown (the sending tab closed).`,
      ),
    ],
  };
}

/** Marks the connection handed off: auto-refresh goes off, and refreshes here need confirmation. */
export async function markHandedOff(
  deps: LifecycleDeps,
  connectionId: string,
  fingerprintOfToken: string | null,
) {
  const now = deps.now();
  await deps.db.tx("readwrite", async (store) => {
    const current = await readConnection(store, connectionId);
    if (current === undefined) throw new Error("This connection was forgotten.");
    putConnection(
      store,
      {
        ...current,
        handedOffAt: now,
        settings: { ...current.settings, autoRefresh: false },
        updatedAt: now,
        revision: current.revision + 1,
      },
      [
        event(
          connectionId,
          now,
          "exported",
          `Exported for a server${fingerprintOfToken ? ` (refresh token ${fingerprintOfToken})` : ""}; auto-refresh off, refreshes here now need confirmation.`,
          { refreshTokenFingerprint: fingerprintOfToken },
        ),
      ],
    );
  });
  deps.notify?.(connectionId);
}

/** Turns auto-refresh on or off. A handed-off connection cannot have it. */
export async function setAutoRefresh(
  deps: LifecycleDeps,
  connectionId: string,
  settings: { autoRefresh: boolean; autoRefreshLeadSeconds: number },
): Promise<void> {
  const now = deps.now();
  await deps.db.tx("readwrite", async (store) => {
    const current = await readConnection(store, connectionId);
    if (current === undefined) throw new Error("This connection was forgotten.");
    if (settings.autoRefresh && current.handedOffAt !== null) {
      throw new Error(
        "This connection was handed off to a server: refreshing here on a timer would break the server's copy.",
      );
    }
    const lead = Math.max(5, Math.round(settings.autoRefreshLeadSeconds));
    putConnection(
      store,
      {
        ...current,
        settings: { autoRefresh: settings.autoRefresh, autoRefreshLeadSeconds: lead },
        updatedAt: now,
        revision: current.revision + 1,
      },
      [
        event(
          connectionId,
          now,
          "settings",
          settings.autoRefresh
            ? `Auto-refresh on, ${lead} s before the access token expires.`
            : "Auto-refresh off.",
        ),
      ],
    );
  });
  deps.notify?.(connectionId);
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
            recipe.refreshPolicy === "reusable"
              ? `New refresh token ${newFp} issued beside ${oldFp}; for this provider the old one stays valid.`
              : `Refresh token rotated: ${oldFp} replaced by ${newFp}; the old one is spent.`,
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
      event(id, now, "imported", `Imported ${what}.`, { refreshTokenFingerprint: refreshFp }),
    ]);
  });
  deps.notify?.(id);
  return { kind: "imported", connectionId: id };
}
