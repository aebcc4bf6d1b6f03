/** Where the relay is: `config.json` beside index.html, so one build serves every deployment. */
export interface RuntimeConfig {
  readonly relay: string;
  /** config.json could not be fetched at all (offline): `relay` is the default, a guess until it can. */
  readonly unread?: true;
}

/** Reads config.json from the app's root; a missing file means the relay is at `<origin>/relay`. */
export async function loadRuntimeConfig(
  root: string,
  fetchImpl: typeof fetch = fetch,
): Promise<RuntimeConfig> {
  const fallback = { relay: new URL("/relay", root).href };
  let response: Response;
  try {
    response = await fetchImpl(new URL("config.json", root), { cache: "no-store" });
  } catch {
    return { ...fallback, unread: true };
  }
  if (!response.ok) return fallback;
  const body: unknown = await response.json().catch(() => null);
  const relay = body !== null && typeof body === "object" ? (body as { relay?: unknown }).relay : undefined;
  if (relay === undefined) return fallback;
  if (typeof relay !== "string") throw new Error('config.json: "relay" must be a URL string, e.g. "/relay".');
  return { relay: new URL(relay, root).href };
}
