/**
 * A short, stable name for a secret value, so history can say which token replaced which without
 * keeping the token itself: the first 8 hex digits of its SHA-256.
 */
export async function fingerprint(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return Array.from(new Uint8Array(digest).slice(0, 4), (b) => b.toString(16).padStart(2, "0")).join("");
}
