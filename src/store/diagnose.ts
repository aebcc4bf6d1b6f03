/**
 * The support desk's evidence: the explainer's context built from a diagnostic bundle (a live
 * connection's, or one a customer sent) or from a pasted export, and what this browser's history
 * knows about a refresh token. Works on redacted data only: fingerprints, never tokens.
 */
import { type CauseContext, classifyFailure, clockSkew, type FailureKind } from "../oauth/causes.ts";
import { fingerprint } from "../oauth/fingerprint.ts";
import type { PastedFacts } from "../oauth/inspect.ts";
import { parseBody } from "../oauth/token-set.ts";
import type { Recipe } from "../providers/types.ts";
import type { PublicClient } from "../relay/contract.ts";
import { type DiagnosticBundle, sentOf, upstreamOf } from "./bundle.ts";
import type { Db } from "./db.ts";
import { listConnections, listEvents } from "./repo.ts";

/** The failure the bundle's last exchange came to, or null when the provider did not refuse it. */
export interface ObservedFailure {
  readonly kind: FailureKind;
  readonly error: string | null;
  readonly description: string | null;
  readonly grantType: "authorization_code" | "refresh_token";
  readonly status: number;
  /** When the answer was stored (page clock). */
  readonly at: number;
}

export function lastFailure(bundle: DiagnosticBundle): ObservedFailure | null {
  const last = bundle.lastExchange;
  if (last?.response == null) return null;
  const upstream = upstreamOf(last.response);
  if (upstream.status >= 200 && upstream.status < 300 && !/"error"\s*:|(^|&)error=/.test(upstream.body)) {
    return null;
  }
  const failure = classifyFailure(upstream);
  return { ...failure, grantType: last.grantType, status: upstream.status, at: last.at };
}

/** The fingerprint inside a `[field 1a2b3c4d]` marker, or null. */
export function markerFingerprint(value: unknown): string | null {
  return typeof value === "string" ? (/^\[[a-z_]+ ([0-9a-f]{8})\]$/.exec(value)?.[1] ?? null) : null;
}

function fieldsOf(body: string, contentType: string | undefined): Record<string, unknown> {
  return (
    parseBody(body, contentType) ??
    (body.includes("=") ? Object.fromEntries(new URLSearchParams(body)) : null) ??
    {}
  );
}

/** The context for explaining a failure of `grantType` from what the bundle shows. */
export function contextFromBundle(
  bundle: DiagnosticBundle,
  recipe: Recipe,
  grantType: "authorization_code" | "refresh_token",
): CauseContext {
  const c = bundle.connection;
  const last = bundle.lastExchange;
  const sent = last?.request ? sentOf(last.request) : null;
  const body = sent === null ? {} : fieldsOf(sent.body, sent.headers["content-type"]);
  const sentAt = last === null ? null : last.at - last.time;
  const entries = bundle.log.entries.map((e) => ({ ...e, at: Date.parse(e.startedDateTime) }));

  const codeMarker = c.authorization?.code ?? null;
  const exchangesOfCode = entries.filter(
    (e) => codeMarker !== null && e.request?.postData?.text.includes(codeMarker) === true,
  );
  const earlier = exchangesOfCode.find((e) => sentAt === null || e.at - e.time < sentAt - 1);

  const refreshFp = markerFingerprint(body.refresh_token);
  const superseding = entries.find(
    (e) =>
      refreshFp !== null &&
      e.event.previousRefreshTokenFingerprint === refreshFp &&
      e.event.refreshTokenFingerprint !== null &&
      e.event.refreshTokenFingerprint !== refreshFp,
  );
  const currentFp = markerFingerprint(c.tokenSet?.refreshToken);

  const answers = [
    ...entries.flatMap((e) =>
      e.response === null ? [] : [{ receivedAt: e.at, ms: e.time, headers: upstreamOf(e.response).headers }],
    ),
    ...(last?.response
      ? [{ receivedAt: last.at, ms: last.time, headers: upstreamOf(last.response).headers }]
      : []),
  ];
  return {
    grantType,
    recipe,
    sentAt,
    headers: last?.response ? upstreamOf(last.response).headers : {},
    code:
      c.authorization === null
        ? null
        : {
            receivedAt: c.authorization.receivedAt,
            expiresAt: c.authorization.expiresAt,
            earlierExchangeAt: earlier === undefined ? null : earlier.at - earlier.time,
          },
    redirectUri: {
      sent: typeof body.redirect_uri === "string" ? body.redirect_uri : null,
      authorized: c.authorization?.redirectUri ?? null,
      configured: bundle.client?.redirect_uris ?? [],
    },
    verifierSent: sent === null || grantType !== "authorization_code" ? null : "code_verifier" in body,
    refreshToken: {
      fingerprint: refreshFp,
      supersededAt: superseding?.at ?? null,
      supersededBy: superseding?.event.refreshTokenFingerprint ?? null,
      expiresAt:
        refreshFp !== null && refreshFp === currentFp ? (c.tokenSet?.refreshExpiresAt ?? null) : null,
    },
    handedOffAt: c.handedOffAt,
    scope: {
      requested: c.scopeRequested === "" ? null : c.scopeRequested,
      granted: c.tokenSet?.scope ?? null,
      sentOnRefresh: typeof body.scope === "string" && grantType === "refresh_token" ? body.scope : null,
    },
    clockSkewMs: clockSkew(answers),
    recentRefreshes: c.recentRefreshes,
    environment: bundle.client?.environment ?? null,
    authMethod: bundle.client?.token_endpoint_auth_method ?? null,
  };
}

/** What this browser's history knows about one refresh token, found by its fingerprint. */
export interface RefreshTokenHistory {
  readonly connectionId: string;
  readonly connectionName: string;
  /** When a refresh replaced it, and the fingerprint of its successor. */
  readonly supersededAt: number | null;
  readonly supersededBy: string | null;
  /** When it was exported for a server. */
  readonly handedOffAt: number | null;
  /** It is the connection's current refresh token. */
  readonly current: boolean;
}

/** Looks the refresh token up in every connection's history in this browser (by fingerprint only). */
export async function findRefreshTokenInHistory(
  db: Db,
  refreshToken: string,
): Promise<RefreshTokenHistory | null> {
  const fp = await fingerprint(refreshToken);
  for (const connection of await listConnections(db)) {
    const events = await listEvents(db, connection.id);
    const current =
      connection.tokenSet?.refreshToken != null &&
      (await fingerprint(connection.tokenSet.refreshToken)) === fp;
    const issued = events.some((e) => e.refreshTokenFingerprint === fp);
    if (!current && !issued) continue;
    const superseding = events.find(
      (e) => e.previousRefreshTokenFingerprint === fp && e.refreshTokenFingerprint !== fp,
    );
    const exported = events.find((e) => e.type === "exported" && e.refreshTokenFingerprint === fp);
    return {
      connectionId: connection.id,
      connectionName: connection.name,
      supersededAt: superseding?.at ?? null,
      supersededBy: superseding?.refreshTokenFingerprint ?? null,
      handedOffAt: exported?.at ?? (current ? connection.handedOffAt : null),
      current,
    };
  }
  return null;
}

/** An identity probe's answer, as the explainer uses it. */
export interface ProbeSummary {
  readonly status: number;
  readonly at: number;
  readonly ms: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** The context for explaining a failure of a pasted export or token response. */
export function contextFromPaste(input: {
  readonly facts: PastedFacts;
  readonly recipe: Recipe;
  readonly grantType: "authorization_code" | "refresh_token";
  readonly client: PublicClient | null;
  readonly isExport: boolean;
  readonly history: RefreshTokenHistory | null;
  readonly refreshFingerprint: string | null;
  readonly probe: ProbeSummary | null;
  readonly now: number;
}): CauseContext {
  const { facts, client, history, probe } = input;
  return {
    grantType: input.grantType,
    recipe: input.recipe,
    sentAt: input.now,
    refreshToken: {
      fingerprint: input.refreshFingerprint,
      supersededAt: history?.supersededAt ?? null,
      supersededBy: history?.supersededBy ?? null,
      expiresAt: facts.refreshExpiresAt,
    },
    handedOffAt: history?.handedOffAt ?? null,
    heldByServer: input.isExport,
    scope: { requested: null, granted: facts.scope, sentOnRefresh: null },
    probe:
      probe === null ? null : { status: probe.status, at: probe.at, accessExpiresAt: facts.accessExpiresAt },
    clockSkewMs:
      probe === null ? null : clockSkew([{ receivedAt: probe.at, ms: probe.ms, headers: probe.headers }]),
    clientMismatch:
      client !== null && facts.clientId !== null && facts.clientId !== client.client_id
        ? { exportedClientId: facts.clientId, relayClient: client.id, relayClientId: client.client_id }
        : null,
    environment: client?.environment ?? null,
    tokenEnvironment: facts.environment,
    authMethod: client?.token_endpoint_auth_method ?? null,
  };
}
