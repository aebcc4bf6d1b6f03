import { screen, waitFor } from "@solidjs/testing-library";
import type { PublicClient } from "../../src/relay/contract.ts";
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
