import type { _Case } from "../_cases.ts";
import { _DEMO, _DEMO_BASIC } from "../_helpers.ts";
import { _refresh, refused, token } from "./_build.ts";

export const CASES: readonly _Case[] = [
  refused("refuses an unknown client", token(_refresh("nope")), 400, "unknown_client"),
  ...[
    "client_credentials",
    "password",
    "implicit",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:token-exchange",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
  ].map((grant) =>
    refused(
      `refuses grant_type ${grant}, which would mint tokens with the relay's secret`,
      token({ client: "ok", grant_type: grant }),
      400,
      "unsupported_grant_type",
    ),
  ),
  ...["client_id", "client_secret", "client_assertion", "client_assertion_type"].map((field) =>
    refused(
      `refuses a caller's ${field}`,
      token(_refresh("ok", { [field]: field === "client_secret" ? _DEMO.client_secret : "x" })),
      400,
      "credentials_not_allowed",
    ),
  ),
  ...[
    ["Basic", _DEMO_BASIC],
    ["Bearer", "Bearer at-123"],
  ].map(([kind, value]) =>
    refused(
      `refuses a caller's Authorization header (${kind})`,
      token(_refresh("ok"), { headers: { authorization: value ?? "" } }),
      400,
      "credentials_not_allowed",
    ),
  ),
];
