import { Show } from "solid-js";
import type { Connection } from "../../../store/records.ts";
import { A } from "../../router.tsx";

/** What went wrong with this connection, in words, with the next step; "Authorize again" where only that helps. */
export function ConnectionProblem(props: { connection: Connection }) {
  const c = () => props.connection;
  return (
    <Show when={c().problem}>
      {(problem) => (
        <div class="problem" role="alert" data-testid="problem">
          <h3>{problem().title}</h3>
          <p>{problem().detail}</p>
          <p>
            <strong>Next:</strong> {problem().next}
          </p>
          <Show
            when={
              problem().kind === "outcome_unknown" ||
              c().refreshTokenStatus === "dead" ||
              c().tokenSet === null
            }
          >
            <A class="button" href={`/authorize/${encodeURIComponent(c().clientId)}`}>
              Authorize again
            </A>
          </Show>
        </div>
      )}
    </Show>
  );
}
