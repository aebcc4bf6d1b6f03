/**
 * What a person does with tokens: authorize, take the provider's answer, exchange, refresh, revoke,
 * check an ID token, hand off, import. Loaded on first use (app-state.tsx); each action loads what
 * it needs in turn (the authorize page needs no lifecycle, a step the worker sends needs none here).
 */
import { createRelayClient, createRelayLookups } from "../../oauth/relay-client.ts";
import type { LifecycleDeps, StepOutcome } from "../../store/lifecycle.ts";
import { getConnection, savePending } from "../../store/repo.ts";
import type { TokenStep } from "../../store/worker-protocol.ts";
import type { AppActions, AppCore } from "./app-types.ts";
import { networkBlocker, requireNetwork } from "./network.ts";
import { WorkerUnavailableError } from "./token-worker-client.ts";

/** How the steps that need the network are named when one cannot be sent. */
const lifecycle = () => import("../../store/lifecycle.ts");
const authorize = () => import("../../oauth/authorize.ts");

const STEP_WORDS: Readonly<Record<TokenStep["op"], string>> = {
  exchange: "the code exchange",
  refresh: "the refresh",
  revoke: "the revocation",
  "check-id-token": "the ID token check",
};

/** What the lifecycle needs, from the app's core. */
export async function lifecycleDeps(core: AppCore): Promise<LifecycleDeps> {
  const [db, base] = await Promise.all([core.db, core.relayBase()]);
  return {
    db,
    relay: createRelayClient(base, core.fetch),
    now: Date.now,
    fetch: core.fetch,
    lookups: createRelayLookups(base, core.fetch),
    locks: core.locks,
    notify: core.changed,
  };
}

/**
 * Sends a token request through the shared worker, so the answer is stored even if this tab
 * closes meanwhile; in the page itself where there is no worker.
 */
export async function runStep(core: AppCore, step: TokenStep): Promise<StepOutcome> {
  const blocked = await networkBlocker(core, STEP_WORDS[step.op]);
  if (blocked !== null) return { kind: "not_sent", reason: "offline", message: blocked };
  const [worker, base] = await Promise.all([core.worker, core.relayBase()]);
  if (worker !== null) {
    try {
      return await worker.run(step, base);
    } catch (error) {
      if (!(error instanceof WorkerUnavailableError)) throw error;
    }
  }
  const [l, deps] = await Promise.all([lifecycle(), lifecycleDeps(core)]);
  return l.runTokenStep(deps, step);
}

type TokenActions = Pick<
  AppActions,
  | "prepare"
  | "begin"
  | "takeCallback"
  | "exchange"
  | "refresh"
  | "revoke"
  | "checkIdToken"
  | "exportForServer"
  | "setAutoRefresh"
  | "importTokens"
>;

export function createTokenActions(core: AppCore): TokenActions {
  const { state } = core;
  /** Runs a step, then reads the connection's summary again so the list and its page follow. */
  const step = async (s: TokenStep) => {
    const outcome = await runStep(core, s);
    await core.reloadSummaries([s.connectionId]);
    return outcome;
  };
  let callbackOutcome: ReturnType<TokenActions["takeCallback"]> | undefined;
  return {
    async prepare(client, scope, extraParams = {}) {
      const recipe = core.recipeFor(client);
      const a = await authorize();
      const { codeVerifier, codeChallenge } = await a.createPkce();
      const stateValue = a.createState();
      const nonce = a.createNonceFor(scope);
      const url = a.buildAuthorizationUrl({
        authorizationEndpoint: a.authorizationEndpointOf(client, recipe),
        clientId: client.client_id,
        redirectUri: state.redirectUri,
        scope,
        state: stateValue,
        codeChallenge,
        nonce,
        extraParams: { ...recipe.authorizeParams, ...extraParams },
      });
      return {
        url,
        pending: {
          state: stateValue,
          codeVerifier,
          clientId: client.id,
          provider: client.provider,
          redirectUri: state.redirectUri,
          scope,
          issuer: client.issuer,
          authorizationUrl: url.href,
          createdAt: Date.now(),
          nonce,
        },
      };
    },
    async begin(prepared) {
      // The provider's page, not the relay: only the network must be there.
      await requireNetwork(core, "the authorization request", false);
      await savePending(await core.db, { ...prepared.pending, createdAt: Date.now() });
      core.navigate(prepared.url.href);
    },
    takeCallback() {
      const params = core.callback;
      callbackOutcome ??=
        params === null
          ? Promise.resolve(null)
          : Promise.all([lifecycle(), lifecycleDeps(core)]).then(async ([l, deps]) => {
              const outcome = await l.receiveCallback(deps, params);
              if (outcome.kind === "connected") core.keepStorage();
              return outcome;
            });
      return callbackOutcome;
    },
    exchange: (id) => step({ op: "exchange", connectionId: id }),
    refresh: (id, options = {}) =>
      step({
        op: "refresh",
        connectionId: id,
        options: {
          // The token on the screen the person clicked: if another tab has refreshed since, its result
          // is adopted rather than this tab spending the new token.
          expectedRefreshToken: core.shown.get(id)?.tokenSet?.refreshToken ?? null,
          confirmHandedOff: options.confirmHandedOff === true,
          trigger: "user",
        },
      }),
    revoke: (id, which, options = {}) =>
      step({ op: "revoke", connectionId: id, which, options: { confirmed: options.confirmed === true } }),
    checkIdToken: (id) => step({ op: "check-id-token", connectionId: id }),
    async exportForServer(id) {
      const connection = await getConnection(await core.db, id);
      if (connection?.tokenSet?.refreshToken == null)
        throw new Error("This connection has no refresh token to hand off.");
      const client = state.clients?.find((c) => c.id === connection.clientId);
      if (client === undefined) {
        throw new Error(
          `The relay does not list client "${connection.clientId}", whose token endpoint the export needs.`,
        );
      }
      const [{ buildHandoff }, { fingerprint }, l, deps] = await Promise.all([
        import("../../oauth/handoff.ts"),
        import("../../oauth/fingerprint.ts"),
        lifecycle(),
        lifecycleDeps(core),
      ]);
      const result = buildHandoff(client, core.recipeFor(client), connection.tokenSet);
      await l.markHandedOff(deps, id, await fingerprint(connection.tokenSet.refreshToken));
      return result;
    },
    async setAutoRefresh(id, settings) {
      const [l, deps] = await Promise.all([lifecycle(), lifecycleDeps(core)]);
      await l.setAutoRefresh(deps, id, settings);
    },
    async importTokens(clientId, text) {
      const client = state.clients?.find((c) => c.id === clientId);
      if (client === undefined)
        return { kind: "refused", message: `The relay does not list client "${clientId}".` };
      const [l, deps] = await Promise.all([lifecycle(), lifecycleDeps(core)]);
      const outcome = await l.importTokens(deps, {
        clientId,
        provider: client.provider,
        text,
      });
      if (outcome.kind === "imported") core.keepStorage();
      return outcome;
    },
  };
}
