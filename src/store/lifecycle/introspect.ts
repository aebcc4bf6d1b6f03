import { fingerprint } from "../../oauth/fingerprint.ts";
import { type IntrospectionVerdict, introspect } from "../../oauth/introspection.ts";
import type { RelayLookups, RelayTokenResult } from "../../oauth/relay-client.ts";
import type { PublicClient, RevocationTokenType } from "../../relay/contract.ts";
import type { Db } from "../db.ts";
import { redactEnvelope } from "../redact.ts";
import { getConnection, putConnection, readConnection } from "../repo.ts";
import { event } from "./shared.ts";

/** What an introspection needs: storage, the relay's read-only calls and a clock. */
export interface IntrospectDeps {
  readonly db: Db;
  readonly lookups: Pick<RelayLookups, "introspect">;
  readonly now: () => number;
  /** Tells other tabs (and this one) that a connection's history grew. */
  readonly notify?: ((connectionId: string) => void) | undefined;
}

export type IntrospectOutcome =
  | {
      readonly kind: "introspected";
      readonly result: RelayTokenResult;
      readonly verdict: IntrospectionVerdict;
    }
  /** Nothing was sent: no such connection, or no such token in it. */
  | { readonly kind: "not_sent"; readonly message: string };

const NAMES: Readonly<Record<RevocationTokenType, string>> = {
  access_token: "access token",
  refresh_token: "refresh token",
};

/**
 * Asks the client's introspection endpoint (RFC 7662) whether the connection's access or refresh
 * token is active, and records the answer in the history. A read: it changes no token and takes no
 * lock, so it never waits for a refresh nor holds one up; the history line is written in its own
 * transaction on whatever the connection is by then.
 */
export async function introspectToken(
  deps: IntrospectDeps,
  connectionId: string,
  which: RevocationTokenType,
  client: Pick<PublicClient, "client_id" | "issuer"> | null,
): Promise<IntrospectOutcome> {
  const connection = await getConnection(deps.db, connectionId);
  if (connection === undefined) return { kind: "not_sent", message: "This connection was forgotten." };
  const token =
    which === "refresh_token" ? connection.tokenSet?.refreshToken : connection.tokenSet?.accessToken;
  if (token == null) return { kind: "not_sent", message: `This connection has no ${NAMES[which]}.` };
  const { result, verdict } = await introspect(
    deps.lookups,
    { client: connection.clientId, token, which },
    { clientId: client?.client_id ?? null, issuer: client?.issuer ?? null },
    deps.now,
  );
  const at = deps.now();
  const line = event(connectionId, at, "introspected", await summary(which, token, verdict), {
    exchange: result.kind === "envelope" ? await redactEnvelope(result.envelope) : null,
  });
  const written = await deps.db.tx("readwrite", async (store) => {
    const current = await readConnection(store, connectionId);
    if (current === undefined) return false;
    // Only the revision moves, so every view reads the history again; the connection is unchanged.
    putConnection(store, { ...current, revision: current.revision + 1 }, [line]);
    return true;
  });
  if (written) deps.notify?.(connectionId);
  return { kind: "introspected", result, verdict };
}

/** The history line: which token (by fingerprint), and what the server said of it. */
async function summary(
  which: RevocationTokenType,
  token: string,
  verdict: IntrospectionVerdict,
): Promise<string> {
  const what = `the ${NAMES[which]} ${await fingerprint(token)}`;
  switch (verdict.kind) {
    case "active": {
      const scope = verdict.claims.find((c) => c.name === "scope")?.value;
      const facts = [
        ...(scope === undefined ? [] : [`scope "${scope}"`]),
        ...(verdict.expiresAt === null ? [] : [`expires ${new Date(verdict.expiresAt).toISOString()}`]),
      ];
      return `Introspected ${what}: active (RFC 7662)${facts.length === 0 ? "" : `, ${facts.join(", ")}`}.`;
    }
    case "inactive":
      return `Introspected ${what}: not active (expired, revoked, or never issued by this server; RFC 7662 §2.2 does not say which).`;
    case "failed":
      return `Introspected ${what}: ${verdict.title}.`;
    default:
      return `Introspection of ${what}: ${verdict.title}. Nothing was spent.`;
  }
}
