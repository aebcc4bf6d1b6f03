/**
 * {@link RelayConfigError}, the one error every configuration problem is reported as. Kept in its own
 * file so the config/ modules and config.ts can all throw it without importing each other in a circle.
 */

/** Stable codes of {@link RelayConfigError}. */
export type RelayConfigErrorCode =
  | "missing"
  | "invalid_json"
  | "invalid_client"
  | "duplicate_client"
  | "unknown_provider"
  | "invalid_origin"
  | "invalid_option";

/** A configuration problem; `message` names the field and says what to do, and never holds a secret. */
export class RelayConfigError extends Error {
  override readonly name = "RelayConfigError";
  readonly code: RelayConfigErrorCode;
  /** The field at fault, e.g. `TOKENDESK_CLIENTS[1].redirect_uris`. */
  readonly field: string;

  constructor(code: RelayConfigErrorCode, field: string, message: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
}
