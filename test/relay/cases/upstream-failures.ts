/** Relay cases: upstream failures: one attempt, outcome unknown. */
import { expect } from "vitest";
import type { _Case } from "../_cases.ts";
import { _code, one, token, UNKNOWN_OUTCOME, unknownOutcome } from "./_build.ts";

export const CASES: readonly _Case[] = [
  unknownOutcome("answers 504 when the upstream never answers", "hang", 504, "upstream_timeout", "timeouts"),
  unknownOutcome(
    "answers 504 when the upstream stops mid-body",
    "hang-body",
    504,
    "upstream_timeout",
    "timeouts",
  ),
  unknownOutcome("answers 502 on a connection reset, without retrying", "reset", 502, "upstream_unreachable"),
  unknownOutcome(
    "answers 502 on a reset in the middle of the body",
    "reset-body",
    502,
    "upstream_unreachable",
  ),
  unknownOutcome("answers 502 when nothing listens", "unreachable", 502, "upstream_unreachable"),
  one("names why the upstream could not be reached", token(_code("unreachable")), {
    status: 502,
    error: "upstream_unreachable",
    upstreamHits: 0,
    check: (answer) => {
      expect(answer.body?.error_description).toMatch(
        new RegExp(
          `^The token endpoint http://127\\.0\\.0\\.1:\\d+/token could not be reached \\(.+\\)\\. ${UNKNOWN_OUTCOME}$`,
        ),
      );
    },
  }),
  unknownOutcome(
    "stops reading a body over 256 KiB and answers 502",
    "huge",
    502,
    "upstream_response_too_large",
  ),
  one(
    "says how long it waited on a timeout",
    token(_code("hang")),
    {
      status: 504,
      error: "upstream_timeout",
      upstreamHits: 1,
      check: (answer, seen) => {
        expect(answer.body?.error_description).toBe(
          `The token endpoint ${seen.upstreamOrigin}/hang did not answer within 300 ms. ${UNKNOWN_OUTCOME}`,
        );
      },
    },
    "timeouts",
  ),
];
