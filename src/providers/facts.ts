/**
 * What a provider will do, in plain words, for the page to show before the user authorizes: how long
 * the code lives, what a refresh does to the token a server holds, rate limits, and redirect-rule
 * warnings. Pure, so the wording is tested once; unconfirmed figures are marked, never stated as sure.
 */
import type { Lifetime, Recipe } from "./types.ts";

/** One statement; `unconfirmed` when it rests on a figure not checked against the documentation. */
export interface Fact {
  readonly key: string;
  readonly text: string;
  readonly unconfirmed: boolean;
}

export interface RecipeFacts {
  readonly facts: readonly Fact[];
  /** Things that will go wrong with this page's setup, e.g. an http redirect URI where https is required. */
  readonly warnings: readonly string[];
}

/** `15 minutes`, `1 hour`, `12 hours`, `24 hours`, `60 days`: the unit the figure is round in. */
export function describeSeconds(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (seconds >= 2 * 86_400 && seconds % 86_400 === 0) return plural(seconds / 86_400, "day");
  if (seconds >= 3600 && seconds % 3600 === 0) return plural(seconds / 3600, "hour");
  if (seconds >= 120 && seconds % 60 === 0) return plural(seconds / 60, "minute");
  return plural(seconds, "second");
}

function lifetimeText(lifetime: Lifetime): string | null {
  if (lifetime.seconds === null) return lifetime.note ?? null;
  const figure = describeSeconds(lifetime.seconds);
  return lifetime.note === undefined ? figure : `${figure} (${lifetime.note})`;
}

/** The facts and warnings for `recipe`, given the redirect URI this page will use. */
export function describeRecipe(recipe: Recipe, redirectUri: string): RecipeFacts {
  const facts: Fact[] = [];
  const add = (key: string, text: string, unconfirmed = false) => facts.push({ key, text, unconfirmed });
  const name = recipe.id === "custom" ? "This provider" : recipe.name;
  const { code, access, refresh } = recipe.lifetimes;

  if (code.seconds === null) {
    add("code", "How long the code lives is not documented: exchange it right away.", true);
  } else {
    const figure = describeSeconds(code.seconds);
    add("code", `The authorization code lives ${figure}: exchange it within ${figure}.`, !code.confirmed);
  }

  const accessText = lifetimeText(access);
  add(
    "access",
    accessText === null
      ? "Access tokens live as long as each answer's expires_in says."
      : `Access tokens ${access.seconds === null ? "" : "live "}${accessText}.`,
    accessText !== null && !access.confirmed,
  );

  const grace = recipe.refreshGrace?.seconds;
  // An assumed policy is said as such: the page must not present a guess as the provider's word.
  const assumed = recipe.refreshPolicyConfirmed === false;
  switch (recipe.refreshPolicy) {
    case "none":
      add("policy", `${name} issues no refresh token: the access token itself is what you keep.`);
      break;
    case "reusable":
      add(
        "policy",
        "Refresh tokens stay valid after use: a server can keep refreshing with its copy while you refresh here.",
      );
      break;
    case "rotating":
      add(
        "policy",
        assumed
          ? `Treat refresh tokens as rotating: each refresh returns a new one, and ${name === "This provider" ? "this provider" : name} does not say whether the one used keeps working. After you copy a refresh token to your server, do not refresh here: the server's copy may die.`
          : `Refresh tokens rotate: each refresh returns a new one and the one used stops working${grace == null ? "" : ` ${describeSeconds(grace)} later`}. After you copy a refresh token to your server, do not refresh here: the server's copy would die.`,
        assumed || (grace != null && recipe.refreshGrace?.confirmed !== true),
      );
      break;
    case "single-use":
      add(
        "policy",
        "Each refresh token works exactly once. After you copy one to your server, do not refresh here, or the server's copy dies.",
      );
      break;
  }
  if (recipe.refreshEndsAccessToken === true) {
    add("ends-access", "A refresh also ends the previous access token at once: whoever uses it must switch.");
  }
  if (recipe.refreshPolicy !== "none") {
    const refreshText = lifetimeText(refresh);
    if (refreshText !== null) {
      add(
        "refresh",
        `Refresh tokens ${refresh.seconds === null ? "" : "live "}${refreshText}.`,
        !refresh.confirmed,
      );
    }
  }

  const limit = recipe.refreshRateLimit;
  if (limit !== null) {
    add(
      "rate-limit",
      `${name} allows ${limit.requests} refreshes per ${describeSeconds(limit.perSeconds)}; beyond that it answers 429 with a Retry-After telling when to try again.`,
      limit.confirmed !== true,
    );
  }

  const always = recipe.scope.mustInclude ?? [];
  if (always.length > 0) {
    add(
      "scope",
      `tokendesk always asks for ${always.join(" ")}: without it ${name} issues no refresh token.`,
    );
  }
  const params = Object.entries(recipe.authorizeParams);
  if (params.length > 0) {
    add(
      "authorize-params",
      `tokendesk adds ${params.map(([k, v]) => `${k}=${v}`).join(" and ")} to the authorization request, or ${name} would send no refresh token.`,
    );
  }
  for (const param of recipe.callbackParams ?? []) {
    add(
      `callback-${param.name}`,
      `The answer also carries ${param.name}, ${param.meaning}; tokendesk keeps it with the code.`,
    );
  }
  add(
    "pkce",
    recipe.pkce === "unknown"
      ? `${name} documents no PKCE; tokendesk sends an S256 challenge anyway.`
      : `${name} ${recipe.pkce === "required" ? "requires" : "supports"} PKCE; tokendesk sends an S256 challenge.`,
  );
  if (recipe.notes !== undefined) add("notes", recipe.notes);

  const warnings: string[] = [];
  let url: URL | null = null;
  try {
    url = new URL(redirectUri);
  } catch {
    url = null;
  }
  if (recipe.redirectRules.httpsOnly && url?.protocol === "http:") {
    warnings.push(
      `${name} accepts only https redirect URIs, and this page's is ${redirectUri}. Start tokendesk over https (npm start -- --mode https) and register https://${url.host}${url.pathname} instead.`,
    );
  }
  if (recipe.redirectRules.noQuery && (url?.search ?? "") !== "") {
    warnings.push(`${name} refuses redirect URIs with a query string; this page's has one (${url?.search}).`);
  }
  return { facts, warnings };
}
