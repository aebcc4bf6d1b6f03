/**
 * Why the provider refuses the client rather than the token: another client's token, scopes the grant
 * lacks, wrong credentials or authentication method, a mixed-up environment, a grant the registration
 * does not allow, or a redirect URI that is not registered or breaks the provider's rules. They are
 * kept together because the fix for each lies in the app's registration or the relay's configuration.
 */
import { type Builder, type Evidence, isRefresh, scopes } from "./context.ts";

export const otherClient: Builder = (ctx) => {
  const m = ctx.clientMismatch;
  const evidence: Evidence[] = [];
  if (m != null) {
    evidence.push({
      supports: true,
      text: `It was exported for client_id "${m.exportedClientId}", but the relay client "${m.relayClient}" has client_id "${m.relayClientId}": tokens belong to the client they were issued to.`,
    });
  }
  return { base: ctx.grantType === "refresh_token" ? 8 : 4, evidence };
};

export const scopeMismatch: Builder = (ctx) => {
  const s = ctx.scope;
  const evidence: Evidence[] = [];
  const granted = scopes(s?.granted);
  if (s?.sentOnRefresh) {
    const extra = scopes(s.sentOnRefresh).filter((x) => !granted.includes(x));
    if (s.granted !== null && extra.length > 0) {
      evidence.push({
        supports: true,
        text: `The refresh asked for ${extra.map((x) => `"${x}"`).join(", ")}, which the grant does not have (granted: "${s.granted}").`,
      });
    }
  }
  const missing = (ctx.recipe.scope.mustInclude ?? []).filter(
    (x) => s?.granted != null && !granted.includes(x),
  );
  if (missing.length > 0 && isRefresh(ctx)) {
    evidence.push({
      supports: true,
      text: `The granted scope "${s?.granted ?? ""}" lacks ${missing.join(", ")}, which ${ctx.recipe.name} needs for refresh tokens.`,
    });
  }
  const requested = scopes(s?.requested);
  const notGranted = requested.filter((x) => s?.granted != null && !granted.includes(x));
  if (notGranted.length > 0) {
    evidence.push({
      supports: true,
      text: `Requested ${notGranted.map((x) => `"${x}"`).join(", ")} but the provider granted only "${s?.granted ?? ""}".`,
    });
  }
  return { base: 3, evidence };
};

export const wrongSecret: Builder = (ctx) => {
  const evidence: Evidence[] = [];
  const www = ctx.headers?.["www-authenticate"];
  if (www !== undefined && /^basic/i.test(www)) {
    evidence.push({
      supports: true,
      text: `The provider answered with WWW-Authenticate: ${www}, its way of refusing the client's HTTP Basic credentials.`,
    });
  }
  return { base: 45, evidence };
};

export const wrongAuthMethod: Builder = (ctx) => {
  const evidence: Evidence[] = [];
  const www = ctx.headers?.["www-authenticate"];
  if (ctx.authMethod === "client_secret_post" && www !== undefined && /^basic/i.test(www)) {
    evidence.push({
      supports: true,
      text: "The relay sent the credentials in the body, but the provider asks for HTTP Basic (WWW-Authenticate).",
    });
  }
  if (ctx.authMethod != null && ctx.authMethod !== ctx.recipe.tokenEndpointAuthMethod) {
    evidence.push({
      supports: true,
      text: `The relay used ${ctx.authMethod}; ${ctx.recipe.name} expects ${ctx.recipe.tokenEndpointAuthMethod}.`,
    });
  }
  return { base: 6, evidence };
};

export const wrongEnvironment: Builder = (ctx) => {
  const names = Object.keys(ctx.recipe.environments ?? {});
  const evidence: Evidence[] = [];
  const from = ctx.tokenEnvironment ?? null;
  if (from !== null && ctx.environment != null && from !== ctx.environment) {
    evidence.push({
      supports: true,
      text: `The tokens come from ${ctx.recipe.name}'s ${from} environment, but the relay client uses ${ctx.environment}.`,
    });
  } else if (from !== null && from === ctx.environment) {
    evidence.push({ supports: false, text: `The tokens and the relay client are both ${from}.` });
  } else if (names.length > 1 && ctx.environment != null) {
    const others = names.filter((n) => n !== ctx.environment);
    evidence.push({
      supports: true,
      background: true,
      text: `${ctx.recipe.name} has separate ${names.join(" and ")} registrations; this client uses ${ctx.environment}, and credentials or tokens from ${others.join(" or ")} are refused there.`,
    });
  }
  return { base: names.length > 1 ? 10 : 0, evidence };
};

export const grantNotEnabled: Builder = (ctx) => {
  if (ctx.grantType === "refresh_token" && ctx.recipe.refreshPolicy === "none") {
    return {
      base: 45,
      evidence: [
        {
          supports: true,
          text: `${ctx.recipe.name} issues no refresh tokens to this kind of app, so it refuses a refresh grant.`,
        },
      ],
    };
  }
  return {
    base: 45,
    evidence: [
      {
        supports: true,
        background: true,
        text: `The request used the ${ctx.grantType} grant${ctx.recipe.notes ? `. ${ctx.recipe.name}: ${ctx.recipe.notes}` : "."}`,
      },
    ],
  };
};

/** A configured redirect URI that differs from `sent` only by case or a trailing slash. */
export function nearMiss(sent: string, configured: readonly string[]): string | undefined {
  const norm = (u: string) => u.toLowerCase().replace(/\/+$/, "");
  return configured.find((c) => c !== sent && norm(c) === norm(sent));
}

export const notRegistered: Builder = (ctx) => {
  const r = ctx.redirectUri;
  const evidence: Evidence[] = [];
  if (r?.sent != null) {
    const near = nearMiss(r.sent, r.configured);
    if (near !== undefined) {
      evidence.push({
        supports: true,
        text: `${r.sent} differs from the configured ${near} only by case or a trailing slash; providers compare byte for byte.`,
      });
    } else if (r.configured.length > 0 && !r.configured.includes(r.sent)) {
      evidence.push({ supports: true, text: `${r.sent} is not among the relay's configured redirect URIs.` });
    } else {
      evidence.push({
        supports: true,
        background: true,
        text: `The relay has ${r.sent} configured; the app's registration at ${ctx.recipe.name} must list exactly the same URI.`,
      });
    }
  }
  return { base: 40, evidence };
};

export const breaksRules: Builder = (ctx) => {
  const sent = ctx.redirectUri?.sent ?? ctx.redirectUri?.authorized ?? null;
  const evidence: Evidence[] = [];
  if (sent !== null) {
    let url: URL | null = null;
    try {
      url = new URL(sent);
    } catch {
      evidence.push({ supports: true, text: `${sent} is not an absolute URL.` });
    }
    if (url !== null && ctx.recipe.redirectRules.httpsOnly && url.protocol !== "https:") {
      evidence.push({
        supports: true,
        text: `${ctx.recipe.name} accepts https redirect URIs only; ${sent} is ${url.protocol.slice(0, -1)}.`,
      });
    }
    if (url !== null && ctx.recipe.redirectRules.noQuery && url.search !== "") {
      evidence.push({
        supports: true,
        text: `${ctx.recipe.name} refuses redirect URIs with a query string; ${sent} has one.`,
      });
    }
  }
  return { base: 5, evidence };
};
