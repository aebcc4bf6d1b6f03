/**
 * Checks on a saved picture: it is for a ticket, so it must hold fingerprints only. The picture is
 * drawn from history lines that never held a token, but a saved file leaves this browser, so it is
 * scanned anyway for every credential value the connection holds, in the forms text may carry it,
 * and for any JWT; a hit refuses the save rather than hand out a picture that leaks.
 */

/** A JWT anywhere in a text (an ID token shown by mistake). */
const JWT_PATTERN = /eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/;

function xmlEscaped(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Throws, naming the field, when the picture's text holds a credential; returns the text otherwise. */
export function checkPicture(text: string, secrets: ReadonlyArray<readonly [string, string]>): string {
  for (const [field, value] of secrets) {
    if (value.length < 4) continue;
    const forms = new Set([
      value,
      encodeURIComponent(value),
      JSON.stringify(value).slice(1, -1),
      xmlEscaped(value),
    ]);
    for (const form of forms) {
      if (text.includes(form))
        throw new Error(`The picture would show the connection's ${field}; nothing was saved.`);
    }
  }
  if (JWT_PATTERN.test(text)) throw new Error("The picture would show a JWT; nothing was saved.");
  return text;
}

/** `tokendesk-timeline-demo-demo-2026-11-23.svg`: provider, client and day, nothing secret. */
export function pictureFileName(
  provider: string,
  clientId: string,
  at: number,
  extension: "svg" | "png",
): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 40);
  return `tokendesk-timeline-${safe(provider)}-${safe(clientId)}-${new Date(at).toISOString().slice(0, 10)}.${extension}`;
}
