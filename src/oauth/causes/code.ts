/**
 * Why an authorization code exchange is refused for the code's own sake: it expired, was already
 * exchanged, came back with another redirect URI, or its PKCE verifier does not match. These read only
 * the code's history and the requests as sent, so they stand apart from the client's configuration.
 */
import { type Builder, type Evidence, iso, spell } from "./context.ts";

export const codeExpired: Builder = (ctx) => {
  const c = ctx.code;
  const at = ctx.sentAt ?? null;
  const lifetime = ctx.recipe.lifetimes.code.seconds;
  const evidence: Evidence[] = [];
  if (c != null && at !== null) {
    const age = at - c.receivedAt;
    const limit = lifetime === null ? "" : `; ${ctx.recipe.name} codes live ${spell(lifetime * 1000)}`;
    evidence.push(
      c.expiresAt !== null && at >= c.expiresAt
        ? { supports: true, text: `The code was sent ${spell(age)} after it arrived${limit}.` }
        : c.expiresAt !== null
          ? {
              supports: false,
              text: `The code was sent ${spell(age)} after it arrived, within its lifetime${limit}.`,
            }
          : {
              supports: true,
              text: `The code was sent ${spell(age)} after it arrived; its lifetime is not known.`,
            },
    );
  }
  return { base: 30, evidence };
};

export const codeUsed: Builder = (ctx) => {
  const earlier = ctx.code?.earlierExchangeAt ?? null;
  const evidence: Evidence[] =
    earlier === null
      ? ctx.code != null
        ? [{ supports: false, text: "History shows no earlier exchange of this code from this browser." }]
        : []
      : [
          {
            supports: true,
            text: `This code was already sent for exchange at ${iso(earlier)}; a code works once.`,
          },
        ];
  return { base: 28, evidence };
};

export const redirectChanged: Builder = (ctx) => {
  const r = ctx.redirectUri;
  const evidence: Evidence[] = [];
  if (r?.sent != null && r.authorized != null) {
    evidence.push(
      r.sent === r.authorized
        ? {
            supports: false,
            text: `The token request sent the same redirect URI as the authorization request (${r.sent}).`,
          }
        : {
            supports: true,
            text: `The token request sent redirect_uri ${r.sent}, but the authorization request used ${r.authorized} (RFC 6749 §4.1.3: they must be identical).`,
          },
    );
  }
  return { base: 14, evidence };
};

export const pkceMismatch: Builder = (ctx) => {
  const evidence: Evidence[] = [];
  if (ctx.verifierSent === false && ctx.recipe.pkce === "required") {
    evidence.push({
      supports: true,
      text: `No code_verifier was sent, and ${ctx.recipe.name} requires PKCE.`,
    });
  } else if (ctx.verifierSent === true) {
    evidence.push({
      supports: false,
      text: "The code_verifier kept with this code was sent; a mismatch would need the code to come from another authorization.",
    });
  }
  return { base: ctx.recipe.pkce === "unknown" ? 4 : 8, evidence };
};
