/**
 * The one redirect discovery follows, shared by the page and the relay. Frameworks with "append
 * slash" (Django's CommonMiddleware, Rails and Express with strict routing, many reverse proxies)
 * answer `/.well-known/openid-configuration` with a redirect to the same path plus `/`. Following that
 * is safe: the document still comes from the issuer's own origin, and its `issuer` is still checked.
 * Any other redirect could hand the page another server's metadata, so it is refused and named.
 * Pure: no I/O, Web APIs only.
 */

/** The statuses fetch follows (Fetch Standard, "redirect status"). */
const REDIRECT_STATUSES: readonly number[] = [301, 302, 303, 307, 308];

/** Whether `status` is a redirect a GET would follow: 301, 302, 303, 307 or 308. */
export function isRedirectStatus(status: number): boolean {
  return REDIRECT_STATUSES.includes(status);
}

/** How many redirects discovery follows for one well-known document. */
export const MAX_WELL_KNOWN_REDIRECTS = 1;

export type WellKnownRedirect =
  | {
      readonly ok: true;
      /** Where to read the document instead: `requested` with one trailing slash added or removed. */
      readonly url: URL;
      readonly change: "a trailing slash added" | "a trailing slash removed";
    }
  | { readonly ok: false; readonly why: string };

const ONLY = "tokendesk follows only a redirect that adds or removes a trailing slash, on the same origin";

/** A URL as words show it: without a fragment (never sent), cut short if a server sent something huge. */
function shown(url: URL | string): string {
  const text = typeof url === "string" ? url : url.href.replace(/#.*$/, "");
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** What differs between two origins, in words: "another host (b.example, not a.example)". */
function originDifference(from: URL, to: URL): string {
  const parts: string[] = [];
  if (from.protocol !== to.protocol) {
    parts.push(`another scheme (${to.protocol.slice(0, -1)}, not ${from.protocol.slice(0, -1)})`);
  }
  if (from.hostname !== to.hostname) parts.push(`another host (${to.hostname}, not ${from.hostname})`);
  if (from.port !== to.port) {
    parts.push(`another port (${to.port || "the default"}, not ${from.port || "the default"})`);
  }
  return parts.join(", ");
}

/**
 * Whether discovery may follow a redirect of the well-known metadata URL `requested` to `location`
 * (the Location header, possibly relative, or a browser's final `response.url`):
 * - at most one hop (`followed` counts those already followed for this document);
 * - the same origin: scheme, host and port (RFC 6454), and no user name or password;
 * - the same path with one trailing slash added or removed, and nothing else;
 * - the same query: the well-known URLs tokendesk reads have none, and an append-slash redirect keeps
 *   the query as it was, so a redirect that adds one is not that redirect (and a query could select
 *   another document, e.g. `?tenant=`);
 * - a fragment is ignored: it is never sent to the server, so it cannot change what is read.
 * Anything else is refused, with the reason in words.
 */
export function acceptableWellKnownRedirect(
  requested: URL,
  location: string | null,
  followed = 0,
): WellKnownRedirect {
  if (location === null || location.trim() === "") {
    return {
      ok: false,
      why: "The issuer answered with a redirect but no Location header, so there is nowhere to follow.",
    };
  }
  let target: URL;
  try {
    target = new URL(location.trim(), requested);
  } catch {
    return {
      ok: false,
      why: `The issuer redirects its metadata to ${JSON.stringify(shown(location))}, which is not a URL.`,
    };
  }
  target.hash = "";
  if (followed >= MAX_WELL_KNOWN_REDIRECTS) {
    return {
      ok: false,
      why: `The issuer redirects its metadata again, to ${shown(target)}; tokendesk follows one redirect at most (a trailing slash added or removed, on the same origin).`,
    };
  }
  if (target.username !== "" || target.password !== "") {
    return {
      ok: false,
      why: `The issuer redirects its metadata to a URL with a user name or password; ${ONLY}.`,
    };
  }
  if (target.origin !== requested.origin) {
    return {
      ok: false,
      why: `The issuer redirects its metadata to ${shown(target)}, on ${originDifference(requested, target)}; ${ONLY}.`,
    };
  }
  const change =
    target.pathname === `${requested.pathname}/`
      ? "a trailing slash added"
      : `${target.pathname}/` === requested.pathname
        ? "a trailing slash removed"
        : null;
  const queryChanged = target.search !== requested.search;
  if (change === null && !(queryChanged && target.pathname === requested.pathname)) {
    return {
      ok: false,
      why:
        target.href === requested.href
          ? `The issuer redirects its metadata to the same URL, ${shown(target)}; ${ONLY}.`
          : `The issuer redirects its metadata to ${shown(target)}, another path on the same origin; ${ONLY}.`,
    };
  }
  if (change === null || queryChanged) {
    const what = requested.search === "" ? `adds a query (${shown(target.search)})` : "changes the query";
    return {
      ok: false,
      why: `The issuer redirects its metadata to ${shown(target)}, which ${what}; ${ONLY}, with the query unchanged.`,
    };
  }
  return { ok: true, url: target, change };
}
