/**
 * `GET {base}/clients`, the one relay call the first screen makes. Apart from relay-client.ts (token
 * requests and lookups), which loads when a step needs it.
 */
import type { ClientsResponse, RelayErrorBody } from "../relay/contract.ts";

/** A failure to list the relay's clients, with a message a person can act on. */
export class RelayUnavailableError extends Error {
  override readonly name = "RelayUnavailableError";
}

export function isErrorBody(value: unknown): value is RelayErrorBody {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { error?: unknown }).error === "string" &&
    typeof (value as { error_description?: unknown }).error_description === "string"
  );
}

/** The relay's clients, and why they are the last good ones when the relay says so. */
export async function fetchClients(base: string, fetchImpl: typeof fetch = fetch): Promise<ClientsResponse> {
  const root = base.replace(/\/+$/, "");
  let response: Response;
  try {
    response = await fetchImpl(`${root}/clients`, { headers: { Accept: "application/json" } });
  } catch {
    throw new RelayUnavailableError(
      `The relay at ${root} cannot be reached. Start it (npm start, or npm run relay) or fix "relay" in config.json.`,
    );
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok || body === null || !Array.isArray((body as ClientsResponse).clients)) {
    const detail = isErrorBody(body) ? `: ${body.error_description}` : "";
    throw new RelayUnavailableError(
      `The relay at ${root} answered ${response.status} to GET /clients${detail}. Check that "relay" in config.json points at a tokendesk relay.`,
    );
  }
  const { clients, configuration_error: problem } = body as ClientsResponse;
  // Shown as text; anything but a string is no message.
  return typeof problem === "string" ? { clients, configuration_error: problem } : { clients };
}
