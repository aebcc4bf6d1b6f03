/**
 * Reads that spend nothing, and the support desk's steps on pasted tokens: the identity probe,
 * discovery, introspection, revoking a pasted token, the history search by fingerprint, and calls
 * to the provider's API ("Try the API"). Loaded on
 * first use (app-state.tsx); each loads the protocol code it needs.
 */
import { createRelayApi, createRelayClient, createRelayLookups } from "../../oauth/relay-client.ts";
import { getConnection, rememberAccount } from "../../store/repo.ts";
import type { AppActions, AppCore } from "./app-types.ts";
import { networkBlocker, requireNetwork } from "./network.ts";

type LookupActions = Pick<
  AppActions,
  | "probe"
  | "discover"
  | "probeToken"
  | "revokePasted"
  | "refreshTokenHistory"
  | "introspect"
  | "introspectPasted"
  | "callApi"
>;

export function createLookupActions(core: AppCore): LookupActions {
  const { state } = core;
  const lookups = async () => createRelayLookups(await core.relayBase(), core.fetch);
  return {
    async probe(id) {
      await requireNetwork(core, "the identity probe");
      const connection = await getConnection(await core.db, id);
      const accessToken = connection?.tokenSet?.accessToken;
      if (connection === undefined || accessToken == null)
        throw new Error("This connection has no access token.");
      const [{ probeAccount }, relay] = await Promise.all([
        import("../../oauth/identity.ts"),
        lookups(),
        core.recipes,
      ]);
      const outcome = await probeAccount(
        relay,
        { client: connection.clientId, accessToken },
        core.recipeFor(connection),
      );
      if (outcome.account !== null) {
        await rememberAccount(await core.db, id, outcome.account, Date.now());
        core.changed(id);
        await core.reloadSummaries([id]);
      }
      return outcome;
    },
    async discover(issuer) {
      // Read from the page where the issuer allows it: only the network must be there.
      await requireNetwork(core, "the discovery request", false);
      const [{ discoverIssuer }, relay] = await Promise.all([import("../../oauth/discover.ts"), lookups()]);
      return discoverIssuer(issuer, { fetch: core.fetch, lookups: relay });
    },
    async probeToken(clientId, accessToken) {
      await requireNetwork(core, "the identity probe");
      const client = state.clients?.find((c) => c.id === clientId);
      if (client === undefined) throw new Error(`The relay does not list client "${clientId}".`);
      const [{ probeAccount }, relay] = await Promise.all([import("../../oauth/identity.ts"), lookups()]);
      return probeAccount(relay, { client: clientId, accessToken }, core.recipeFor(client));
    },
    async revokePasted(clientId, token, which) {
      await requireNetwork(core, "the revocation");
      const [{ readRevocation }, base] = await Promise.all([
        import("../../oauth/revocation.ts"),
        core.relayBase(),
      ]);
      const result = await createRelayClient(base, core.fetch).revoke({
        client: clientId,
        token,
        token_type_hint: which,
      });
      return { result, verdict: readRevocation(result, which) };
    },
    async introspect(id, which) {
      const connection = await getConnection(await core.db, id);
      const client = state.clients?.find((c) => c.id === connection?.clientId) ?? null;
      const [l, db, relay] = await Promise.all([import("../../store/lifecycle.ts"), core.db, lookups()]);
      const outcome = await l.introspectToken(
        { db, lookups: relay, now: Date.now, notify: core.changed },
        id,
        which,
        client,
      );
      await core.reloadSummaries([id]);
      return outcome;
    },
    async introspectPasted(clientId, token, which) {
      const client = state.clients?.find((c) => c.id === clientId);
      if (client === undefined) throw new Error(`The relay does not list client "${clientId}".`);
      const [m, relay] = await Promise.all([import("../../oauth/introspection.ts"), lookups()]);
      return m.introspect(
        relay,
        { client: clientId, token, which },
        { clientId: client.client_id, issuer: client.issuer },
      );
    },
    async refreshTokenHistory(refreshToken) {
      const [{ findRefreshTokenInHistory }, db] = await Promise.all([
        import("../../store/diagnose.ts"),
        core.db,
      ]);
      return findRefreshTokenInHistory(db, refreshToken);
    },
    async callApi(id, input) {
      const blocked = await networkBlocker(core, "the API call");
      if (blocked !== null) return { kind: "not_sent", message: blocked };
      const [m, db, base] = await Promise.all([
        import("../../store/lifecycle/api-call.ts"),
        core.db,
        core.relayBase(),
      ]);
      const outcome = await m.callApi(
        { db, call: createRelayApi(base, core.fetch), now: Date.now, notify: core.changed },
        id,
        input,
      );
      await core.reloadSummaries([id]);
      return outcome;
    },
  };
}
