/**
 * Checking the connection's latest ID token once its token set is stored (OpenID Connect Core
 * §3.1.3.7): the expected issuer and audience from the relay's client list, the nonce from the
 * authorization, the keys from the issuer (through the relay when the page may not read them). The
 * verdict is written in its own transaction, and only onto the same ID token: a newer answer that
 * replaced it meanwhile gets its own check.
 */
import { type IdTokenVerdict, verifyIdToken } from "../../oauth/id-token.ts";
import { readIssuerKeys } from "../../oauth/id-token-keys.ts";
import type { RelayTokenResult } from "../../oauth/relay-client.ts";
import type { PublicClient } from "../../relay/contract.ts";
import type { Connection, IdTokenCheck } from "../records.ts";
import { getConnection, putConnection, readConnection } from "../repo.ts";
import { type LifecycleDeps, recipeOf, type StepOutcome } from "./shared.ts";

// Imported statically: the lifecycle chunk is already lazy (never on the first screen), and a dynamic
// import here would move Vite's preload helper into a chunk the first screen loads (npm run bench).

/**
 * Checks the connection's ID token unless it already has a verdict; `again` checks it anew (after the
 * issuer's keys could not be read). Never throws for a token it cannot check: that is a verdict too.
 */
export async function checkIdToken(
  deps: LifecycleDeps,
  connectionId: string,
  options: { readonly again?: boolean } = {},
): Promise<StepOutcome> {
  const connection = await getConnection(deps.db, connectionId);
  if (connection === undefined) {
    return { kind: "not_sent", reason: "forgotten", message: "This connection was forgotten." };
  }
  const token = connection.tokenSet?.idToken ?? null;
  if (connection.tokenSet === null || token === null) {
    return { kind: "not_sent", reason: "no_id_token", message: "This connection has no ID token to check." };
  }
  const pending = checkOf(
    connection,
    connection.tokenSet.idTokenReceivedAt ?? connection.tokenSet.receivedAt,
  );
  if (pending.verdict !== null && options.again !== true) return { kind: "done", connection };

  let verdict: IdTokenVerdict;
  try {
    verdict = await judge(deps, connection, token, pending);
  } catch (error) {
    verdict = notChecked(`the check failed (${error instanceof Error ? error.message : String(error)})`);
  }
  const checkedAt = deps.now();
  const written = await deps.db.tx("readwrite", async (store) => {
    const current = await readConnection(store, connectionId);
    if (current === undefined || current.tokenSet?.idToken !== token) return current;
    const next: Connection = {
      ...current,
      idTokenCheck: { ...checkOf(current, pending.receivedAt), checkedAt, verdict },
      revision: current.revision + 1,
    };
    putConnection(store, next, []);
    return next;
  });
  if (written === undefined)
    return { kind: "not_sent", reason: "forgotten", message: "This connection was forgotten." };
  deps.notify?.(connectionId);
  return { kind: "done", connection: written };
}

/**
 * After an exchange or refresh: checks the ID token its answer brought, if any, and answers with the
 * connection as it then is. The tokens were stored (and shown) before this starts.
 */
export async function checkNewIdToken(deps: LifecycleDeps, outcome: StepOutcome): Promise<StepOutcome> {
  if (outcome.kind !== "done") return outcome;
  const waiting = outcome.connection.idTokenCheck;
  if (waiting == null || waiting.verdict !== null) return outcome;
  const checked = await checkIdToken(deps, outcome.connection.id);
  return checked.kind === "done" ? checked : outcome;
}

/**
 * The stored check of the ID token received at `receivedAt`, or a fresh one for a token stored before
 * tokendesk checked ID tokens (judged as the exchange's, with nothing earlier to compare it with).
 */
function checkOf(connection: Connection, receivedAt: number): IdTokenCheck {
  const stored = connection.idTokenCheck;
  if (stored != null && stored.receivedAt === receivedAt) return stored;
  return {
    receivedAt,
    grantType: connection.lastExchange?.grantType ?? "authorization_code",
    original: null,
    checkedAt: null,
    verdict: null,
  };
}

function notChecked(why: string): IdTokenVerdict {
  return {
    ok: false,
    code: "not_checked",
    words: `Not checked: ${why}.`,
    problems: [{ code: "not_checked", words: `Not checked: ${why}.` }],
    header: null,
    claims: null,
    keys: null,
    notes: [],
  };
}

async function judge(
  deps: LifecycleDeps,
  connection: Connection,
  token: string,
  check: IdTokenCheck,
): Promise<IdTokenVerdict> {
  let clients: readonly PublicClient[];
  try {
    clients = (await deps.relay.clients()).clients;
  } catch (error) {
    return notChecked(
      `the relay's list of clients could not be read (${error instanceof Error ? error.message : String(error)}), so the expected issuer and audience are unknown`,
    );
  }
  const client = clients.find((c) => c.id === connection.clientId);
  if (client === undefined) {
    return notChecked(
      `the relay no longer lists client "${connection.clientId}", so the expected issuer and audience are unknown`,
    );
  }
  const tokens = connection.tokenSet;
  const fetchImpl: typeof fetch = deps.fetch ?? ((input, init) => fetch(input, init));
  const jwks = deps.lookups?.jwks ?? noRelayLookups;
  return verifyIdToken(
    token,
    {
      issuer: client.issuer,
      issuerAliases: recipeOf(client.provider).idTokenIssuerAliases ?? [],
      clientId: client.client_id,
      nonce: connection.authorization?.nonce ?? null,
      original: check.original,
      // at_hash binds the ID token to the access token of its own answer, which a later refresh replaces.
      accessToken: tokens?.receivedAt === check.receivedAt ? tokens.accessToken : null,
      code: check.grantType === "authorization_code" ? (connection.authorization?.code ?? null) : null,
      receivedAt: check.receivedAt,
    },
    () => readIssuerKeys(client, { fetch: fetchImpl, jwks }),
  );
}

/** Where no relay lookups were given (a caller that only sends token requests): say so as a refusal. */
async function noRelayLookups(): Promise<RelayTokenResult> {
  return {
    kind: "refused",
    status: 0,
    error: {
      error: "jwks_unknown",
      error_description: "no relay lookups are available here to read the keys",
    },
  };
}
