/**
 * Why a refresh token is refused: already spent, revoked or expired. The evidence that it was spent
 * (history's supersession, the identity probe, the hand-off to a server) lives here too, because
 * assessRefreshToken reads the same evidence before anyone spends the token, and the two must agree.
 */
import { type Builder, type CauseContext, type Evidence, iso, spell } from "./context.ts";

/** History: a later refresh replaced this refresh token. */
export function supersededEvidence(ctx: CauseContext): Evidence[] {
  const rt = ctx.refreshToken;
  if (rt?.supersededAt == null) return [];
  return [
    {
      supports: true,
      text: `This browser's history shows refresh token ${rt.fingerprint ?? "?"} replaced by ${rt.supersededBy ?? "a new one"} at ${iso(rt.supersededAt)}: it was already spent.`,
    },
  ];
}

/** The probe: an access token refused before its expiry, at a provider that ends it on refresh. */
export function probeEvidence(ctx: CauseContext): Evidence[] {
  const probe = ctx.probe;
  if (probe == null) return [];
  const ends = ctx.recipe.refreshEndsAccessToken === true;
  if (probe.status === 401 && probe.accessExpiresAt !== null && probe.accessExpiresAt > probe.at) {
    return [
      ends
        ? {
            supports: true,
            text: `The identity endpoint refused the access token issued with it ${spell(probe.accessExpiresAt - probe.at)} before that token's expiry; ${ctx.recipe.name} ends the previous access token when anyone refreshes, so a refresh has happened since.`,
          }
        : {
            supports: true,
            text: "The identity endpoint refused the access token issued with it before that token's expiry: the grant changed since it was issued.",
          },
    ];
  }
  if (probe.status >= 200 && probe.status < 300 && ends) {
    return [
      {
        supports: false,
        text: `The access token issued with it still works, and ${ctx.recipe.name} ends it on every refresh: no refresh has happened since.`,
      },
    ];
  }
  return [];
}

/** The hand-off: a server holds a copy and may have spent it. */
export function handoffEvidence(ctx: CauseContext): Evidence[] {
  if (ctx.recipe.refreshPolicy === "reusable") return [];
  if (ctx.handedOffAt != null) {
    return [
      {
        supports: true,
        text: `It was handed off to a server at ${iso(ctx.handedOffAt)}: if that server refreshed, this copy is spent.`,
      },
    ];
  }
  if (ctx.heldByServer === true) {
    return [
      {
        supports: true,
        text: "It comes from an export made for a server: if that server refreshed, this copy is spent.",
      },
    ];
  }
  return [];
}

/** Evidence that the refresh token was already spent: history, the probe, the hand-off. */
export const refreshUsed: Builder = (ctx) => {
  const policy = ctx.recipe.refreshPolicy;
  const base = policy === "single-use" ? 45 : policy === "rotating" ? 40 : policy === "reusable" ? 8 : 0;
  const evidence: Evidence[] = [];
  if (policy === "single-use" || policy === "rotating") {
    evidence.push({
      supports: true,
      background: true,
      text: `${ctx.recipe.name} refresh tokens are ${policy}: each one works ${policy === "single-use" ? "exactly once" : "until the next refresh"}.`,
    });
  }
  evidence.push(...supersededEvidence(ctx), ...probeEvidence(ctx), ...handoffEvidence(ctx));
  return { base, evidence };
};

export const refreshRevoked: Builder = (ctx) => {
  const reusable = ctx.recipe.refreshPolicy === "reusable";
  const evidence: Evidence[] = [];
  const probe = ctx.probe;
  if (probe != null && probe.status === 401 && !ctx.recipe.refreshEndsAccessToken) {
    evidence.push({
      supports: true,
      text: "The identity endpoint refuses the access token too: the user may have removed the app's access.",
    });
  }
  if (probe != null && probe.status >= 200 && probe.status < 300) {
    evidence.push({
      supports: false,
      text: "The identity endpoint still accepts the access token issued with it: the grant is not revoked.",
    });
  }
  return { base: reusable ? 40 : 20, evidence };
};

export const refreshExpired: Builder = (ctx) => {
  const rt = ctx.refreshToken;
  const at = ctx.sentAt ?? null;
  const evidence: Evidence[] = [];
  if (rt?.expiresAt != null && at !== null) {
    evidence.push(
      rt.expiresAt <= at
        ? {
            supports: true,
            text: `It expired at ${iso(rt.expiresAt)}, ${spell(at - rt.expiresAt)} before the refresh was sent.`,
          }
        : { supports: false, text: `By its stated lifetime it is valid until ${iso(rt.expiresAt)}.` },
    );
  } else if (ctx.recipe.lifetimes.refresh.seconds === null && ctx.recipe.lifetimes.refresh.confirmed) {
    evidence.push({
      supports: false,
      text: `${ctx.recipe.name} refresh tokens have no fixed lifetime${ctx.recipe.lifetimes.refresh.note ? ` (${ctx.recipe.lifetimes.refresh.note})` : ""}.`,
    });
  }
  return { base: 12, evidence };
};
