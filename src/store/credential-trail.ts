/**
 * "Where did my credentials go": for each step of a connection's history, which hosts saw the client
 * secret, the authorization code, the refresh token and the access token. Read from a diagnostic
 * bundle, so it works the same for a live connection and for one a customer sent.
 */
import type { BundleRequest, BundleResponse, DiagnosticBundle } from "./bundle.ts";

export type Credential = "client_secret" | "code" | "refresh_token" | "access_token";

export const CREDENTIALS: readonly Credential[] = ["client_secret", "code", "refresh_token", "access_token"];

export const CREDENTIAL_NAMES: Readonly<Record<Credential, string>> = {
  client_secret: "Client secret",
  code: "Authorization code",
  refresh_token: "Refresh token",
  access_token: "Access or ID token",
};

/** Who held a credential at one step. */
export interface Holder {
  readonly host: string;
  readonly role: "this browser" | "the relay" | "the provider" | "your server";
}

export interface TrailRow {
  readonly at: number;
  /** The step, e.g. "POST api.freshbooks.com/auth/oauth/token (refresh)". */
  readonly step: string;
  readonly seen: Readonly<Record<Credential, readonly Holder[]>>;
}

function hostOf(url: string | null | undefined, base?: string): string | null {
  if (url === null || url === undefined || url === "") return null;
  try {
    return new URL(url, base).host;
  } catch {
    return null;
  }
}

function has(text: string | undefined, field: string): boolean {
  if (text === undefined) return false;
  return new RegExp(`(^|[&{,\\s"])${field}("?\\s*[:=])`).test(text);
}

function none(): Record<Credential, Holder[]> {
  return { client_secret: [], code: [], refresh_token: [], access_token: [] };
}

function exchangeRow(
  at: number,
  label: string,
  req: BundleRequest,
  res: BundleResponse | null,
  browser: Holder,
  relay: Holder,
): TrailRow {
  const providerHost = hostOf(req.url) ?? req.url;
  const provider: Holder = { host: providerHost, role: "the provider" };
  const seen = none();
  const body = req.postData?.text;
  const auth = req.headers.find((h) => h.name.toLowerCase() === "authorization")?.value ?? "";
  // The relay adds the secret: the page never has it, so this browser is never among its holders.
  if (/^basic /i.test(auth) || has(body, "client_secret")) seen.client_secret.push(relay, provider);
  if (has(body, "code")) seen.code.push(browser, relay, provider);
  if (has(body, "refresh_token")) seen.refresh_token.push(browser, relay, provider);
  // A revocation or an introspection names the token `token`, and its kind in `token_type_hint`
  // (RFC 7009 §2.1, RFC 7662 §2.1).
  if (has(body, "token")) {
    const kind = /token_type_hint["=:\s]+"?access_token/.test(body ?? "") ? "access_token" : "refresh_token";
    seen[kind].push(browser, relay, provider);
  }
  if (/^bearer /i.test(auth)) seen.access_token.push(browser, relay, provider);
  const answer = res?.content.text;
  const issuedBy = (c: Credential) => {
    for (const h of [provider, relay, browser]) if (!seen[c].includes(h)) seen[c].push(h);
  };
  if (has(answer, "access_token") || has(answer, "id_token")) issuedBy("access_token");
  if (has(answer, "refresh_token")) issuedBy("refresh_token");
  return { at, step: `${req.method} ${providerHost}${pathOf(req.url)} (${label})`, seen };
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
}

const LABELS: Readonly<Record<string, string>> = {
  exchanged: "code exchange",
  refreshed: "refresh",
  failed: "failed request",
  rotated: "rotation",
  revoked: "revocation",
  introspected: "introspection",
  api: "API call",
};

/** One row per step of the history that moved a credential, oldest first. */
export function credentialTrail(bundle: DiagnosticBundle): TrailRow[] {
  const appHost = hostOf(bundle.appOrigin) ?? "this page";
  const browser: Holder = { host: appHost, role: "this browser" };
  const relay: Holder = {
    host: hostOf(bundle.relayBase, bundle.appOrigin ?? undefined) ?? appHost,
    role: "the relay",
  };
  const rows: TrailRow[] = [];
  for (const entry of bundle.log.entries) {
    const at = Date.parse(entry.startedDateTime);
    const type = entry.event.type;
    if (entry.request !== null) {
      const grant = /grant_type["=:\s]+"?refresh_token/.test(entry.request.postData?.text ?? "")
        ? "refresh"
        : /grant_type["=:\s]+"?authorization_code/.test(entry.request.postData?.text ?? "")
          ? "code exchange"
          : (LABELS[type] ?? type);
      rows.push(exchangeRow(at, grant, entry.request, entry.response, browser, relay));
      continue;
    }
    if (type === "authorized") {
      const seen = none();
      const authHost =
        hostOf(bundle.client?.authorization_endpoint) ?? hostOf(bundle.client?.issuer) ?? "the provider";
      seen.code.push({ host: authHost, role: "the provider" }, browser);
      rows.push({ at, step: `Authorization: the provider redirected back to ${appHost} with a code`, seen });
    } else if (type === "exported") {
      const seen = none();
      const server: Holder = { host: "wherever the export was pasted", role: "your server" };
      seen.refresh_token.push(browser, server);
      seen.access_token.push(browser, server);
      rows.push({ at, step: "Exported for a server (copied from this page)", seen });
    } else if (type === "imported") {
      const seen = none();
      seen.refresh_token.push(browser);
      seen.access_token.push(browser);
      rows.push({ at, step: "Imported by pasting into this page", seen });
    } else if (type === "restored") {
      // The tokens came from a backup file, which holds them encrypted wherever it was saved.
      const seen = none();
      seen.refresh_token.push(browser);
      seen.access_token.push(browser);
      rows.push({ at, step: "Restored from an encrypted backup file into this page", seen });
    }
  }
  const last = bundle.lastExchange;
  const logged = bundle.log.entries.some(
    (e) => e.request !== null && last !== null && Math.abs(Date.parse(e.startedDateTime) - last.at) < 1000,
  );
  if (last?.request && !logged) {
    const label = last.grantType === "refresh_token" ? "refresh, answer lost" : "code exchange, answer lost";
    rows.push(exchangeRow(last.at, label, last.request, last.response, browser, relay));
  }
  return rows.sort((a, b) => a.at - b.at);
}
