import { ProblemAlert } from "../../components/problem-alert.tsx";

/**
 * The end of a backup or restore form: the problem it ended with, the button (held while it works),
 * and the stage it is at, in a status region so screen readers hear the progress.
 */
export function SubmitStatus(props: { label: string; stage: string | null; error: string | null }) {
  return (
    <>
      <ProblemAlert message={props.error} />
      <button type="submit" class="button primary" disabled={props.stage !== null}>
        {props.label}
      </button>
      <p role="status" class="muted">
        {props.stage ?? ""}
      </p>
    </>
  );
}
