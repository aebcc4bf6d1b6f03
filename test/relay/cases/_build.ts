/** The builders every relay case file uses: requests, and one-step cases by kind. */
import { expect } from "vitest";
import type { UpstreamResponse } from "../../../src/relay/contract.ts";
import type { _Case, _CaseRequest, _RelayName, _Seen, _Step } from "../_cases.ts";
import { _envelope, _REDIRECT_URI } from "../_helpers.ts";

export const VERIFIER = "dBjftJeZ4CVP-mJ92K9uK7E8mGqfVw9nqYA3Ta2Z3Q4";
export const UNKNOWN_OUTCOME =
  "The provider may or may not have processed the request: do not send the same code again, and with rotating refresh tokens check the connection before refreshing again.";

export function _code(client: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client,
    grant_type: "authorization_code",
    code: "code-CASE-abc",
    redirect_uri: _REDIRECT_URI,
    code_verifier: VERIFIER,
    ...extra,
  };
}

export function _refresh(client: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { client, grant_type: "refresh_token", refresh_token: "rt-CASE-1", ...extra };
}

export const token = (body: unknown, extra: Partial<_CaseRequest> = {}): _CaseRequest => ({
  path: "/relay/token",
  body,
  ...extra,
});

/** A `POST /relay/revoke` of the case's refresh token for `client`. */
export const revoke = (
  client: string,
  body: Record<string, unknown> = {},
  extra: Partial<_CaseRequest> = {},
): _CaseRequest => ({
  path: "/relay/revoke",
  body: { client, token: "rt-CASE-1", token_type_hint: "refresh_token", ...body },
  ...extra,
});

/** A `POST /relay/introspect` of the case's access token for `client`. */
export const introspect = (
  client: string,
  body: Record<string, unknown> = {},
  extra: Partial<_CaseRequest> = {},
): _CaseRequest => ({
  path: "/relay/introspect",
  body: { client, token: "at-CASE-1", token_type_hint: "access_token", ...body },
  ...extra,
});

/** What every failed introspection says instead of an unknown outcome: a read spends nothing. */
export const INTROSPECT_NOTHING_SPENT =
  "Introspection only reads: nothing was spent and the token is as it was. Introspect again when the endpoint answers.";

export const REVOKE_UNKNOWN =
  "The provider may or may not have revoked the token: revoke it again, which is safe, because a provider answers 200 for a token already revoked (RFC 7009 §2.2).";

/** A one-step case. */
export function one(
  name: string,
  request: _CaseRequest,
  expected: Omit<_Step, "request">,
  relay?: _RelayName,
): _Case {
  return { name, ...(relay === undefined ? {} : { relay }), steps: [{ request, ...expected }] };
}

/** A refusal: the relay answers `status` with `error` and calls nobody. */
export function refused(
  name: string,
  request: _CaseRequest,
  status: number,
  error: string,
  extra: Partial<_Step> = {},
) {
  return one(name, request, { status, error, upstreamHits: 0, ...extra });
}

/** A forwarded request whose envelope reports what the upstream answered. */
export function relayed(
  name: string,
  client: string,
  check: (upstream: UpstreamResponse, seen: _Seen) => void,
): _Case {
  return one(name, token(_code(client)), {
    status: 200,
    upstreamHits: 1,
    log: new RegExp(
      `^POST /relay/token 200 client=${client} grant=authorization_code upstream=\\d{3} ms=\\d+$`,
    ),
    check: (answer, seen) => check(_envelope(answer.body).upstream, seen),
  });
}

/** A failure after sending: exactly one upstream request, and an outcome nobody can know. */
export function unknownOutcome(
  name: string,
  client: string,
  status: number,
  error: string,
  relay?: _RelayName,
): _Case {
  return one(
    name,
    token(_code(client)),
    {
      status,
      error,
      upstreamHits: client === "unreachable" ? 0 : 1,
      // An upstream that sent its status line before failing is named too.
      log: new RegExp(
        `^POST /relay/token ${status} error=${error} client=${client} grant=authorization_code( upstream=\\d{3})? ms=\\d+$`,
      ),
      check: (answer) => {
        expect(answer.body).toMatchObject({
          outcome: "unknown",
          sent: { method: "POST", headers: { authorization: "Basic [redacted]" } },
        });
      },
    },
    relay,
  );
}

/** `text` as a regular expression that matches it literally. */
export function _escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export const NOT_FOUND =
  /^No such relay endpoint; use POST \/relay\/token, .*GET \/relay\/clients or GET \/relay\/health\.$/;

/** The upstream's behaviours: one path each, and a client of the same name points at each. */
export const BEHAVIOURS = [
  "oauth-error",
  "html-401",
  "text-200",
  "rate-limited",
  "latin1",
  "hop",
  "empty-204",
  "redirect-302",
  "redirect-307",
  "reset",
  "reset-body",
  "huge",
] as const;
