import { fireEvent, screen, waitFor } from "@solidjs/testing-library";
import type { Envelope, PublicClient, UpstreamResponse } from "../../src/relay/contract.ts";
import { SupportPage } from "../../src/ui/pages/support/support-page.tsx";
import { _fetch, type _RelayPost, _renderAt } from "./_render.tsx";

export const PASTE_LABEL = "Paste a token, a token response, an exported connection or a diagnostic bundle";

/**
 * Opens the support desk at `path` once the relay's clients have arrived, and returns its paste box
 * and the requests made so far, so a test can tell that what comes after sends nothing.
 */
export async function _supportDesk(clients: PublicClient[], path = "/support", post?: _RelayPost) {
  const { impl, calls } = _fetch({ clients, ...(post === undefined ? {} : { post }) });
  const view = _renderAt(path, "/support", SupportPage, impl);
  await waitFor(() => {
    if (!calls.some((url) => url.endsWith("/relay/clients"))) throw new Error("clients not asked for yet");
  });
  // One more turn, for the answer to be read and stored.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const box = await screen.findByLabelText(PASTE_LABEL);
  const before = calls.length;
  return { ...view, box, calls, sentSince: () => calls.slice(before) };
}

/**
 * The desk with one client, `paste` in the box, and every POST it sends to the relay (route and
 * body) in `posted`, each answered by `answer`.
 */
export async function _pastedDesk(client: PublicClient, paste: string, answer: _RelayPost) {
  const posted: Array<[string, unknown]> = [];
  const desk = await _supportDesk([client], "/support", (route, body) => {
    posted.push([route, body]);
    return answer(route, body);
  });
  fireEvent.input(desk.box, { target: { value: paste } });
  return { ...desk, posted };
}

/**
 * The relay's envelope for a token sent to `url` as a form with its hint and the client's Basic
 * credentials (redacted), as RFC 7009 and RFC 7662 send it, and what the provider answered.
 */
export function _tokenFormEnvelope(
  url: string,
  body: { token: string; token_type_hint?: string },
  upstream: UpstreamResponse,
  ms: number,
): Envelope {
  return {
    sent: {
      method: "POST",
      url,
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: "Basic [redacted]" },
      body: new URLSearchParams({
        token: body.token,
        token_type_hint: body.token_type_hint ?? "",
      }).toString(),
    },
    upstream,
    ms,
  };
}
