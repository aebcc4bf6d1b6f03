/**
 * "Try the API": the request a person writes (method, URL, headers, body), the recipe's sample
 * requests filled in from what the connection knows, what history may keep of a call, and the same
 * request as a curl command. Pure: no DOM, no storage; the relay's `POST {base}/api` sends the call.
 */
import type { ApiSample, ApiSampleInput } from "../providers/types.ts";
import type { ApiCallMethod, Envelope } from "../relay/contract.ts";

export const API_CALL_METHODS: readonly ApiCallMethod[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

/** GET and HEAD only read (RFC 9110 §9.2.1); the others may change something at the provider. */
export function isReadOnly(method: ApiCallMethod): boolean {
  return method === "GET" || method === "HEAD";
}

/** Whether a method carries a request body here. */
export function takesBody(method: ApiCallMethod): boolean {
  return !isReadOnly(method);
}

/** What a method may change, in words, for the question asked before sending it. */
export function whatItMayChange(method: ApiCallMethod, url: string, provider: string): string {
  let where = url;
  try {
    const parsed = new URL(url);
    where = `${parsed.host}${parsed.pathname}`;
  } catch {
    // Shown as typed.
  }
  switch (method) {
    case "POST":
      return `A POST may create something at ${provider} (${where}), or start an action there, as the user who authorized this token.`;
    case "PUT":
      return `A PUT may replace what ${where} holds at ${provider}, as the user who authorized this token.`;
    case "PATCH":
      return `A PATCH may change what ${where} holds at ${provider}, as the user who authorized this token.`;
    case "DELETE":
      return `A DELETE may remove what ${where} names at ${provider}, for good, as the user who authorized this token.`;
    default:
      return `A ${method} only reads.`;
  }
}

/** One request as the editor holds it. */
export interface ApiDraft {
  readonly method: ApiCallMethod;
  readonly url: string;
  /** One `Name: value` per line. */
  readonly headers: string;
  readonly body: string;
}

export type HeadersRead =
  | { readonly ok: true; readonly headers: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly problem: string };

/** Reads `Name: value` lines (blank lines skipped), naming the line at fault. */
export function parseHeaderLines(text: string): HeadersRead {
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const colon = line.indexOf(":");
    const name = colon < 0 ? "" : line.slice(0, colon).trim();
    if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      return {
        ok: false,
        problem: `Header line ${index + 1} is not "Name: value": ${JSON.stringify(line.slice(0, 60))}.`,
      };
    }
    if (seen.has(name.toLowerCase())) {
      return { ok: false, problem: `Header ${name} is given twice (line ${index + 1}); give it once.` };
    }
    seen.add(name.toLowerCase());
    headers[name] = line.slice(colon + 1).trim();
  }
  return { ok: true, headers };
}

/** The value of a header, whatever the case of its name. */
export function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

/** Whether a media type is JSON: `application/json` or any `+json` (RFC 6839 §3.1). */
export function isJsonType(contentType: string | undefined): boolean {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return type === "application/json" || type.endsWith("+json");
}

/**
 * Why a body declared as JSON is not JSON, with where the parser stopped; null when it parses (or is
 * not declared as JSON). Checked before sending: a provider's answer to broken JSON says less.
 */
export function jsonBodyProblem(body: string, contentType: string | undefined): string | null {
  if (!isJsonType(contentType) || body.trim() === "") return null;
  try {
    JSON.parse(body);
    return null;
  } catch (error) {
    const message = error instanceof Error ? error.message : "it does not parse";
    const at = /position (\d+)/.exec(message)?.[1];
    if (at === undefined) return `The body is not valid JSON (${message}).`;
    const offset = Number(at);
    const before = body.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    return `The body is not valid JSON: the parser stopped at line ${line}, column ${column}. Fix it, or change Content-Type if it is not JSON.`;
  }
}

/** A value in a JSON answer by dotted path (`a.0.b`): strings and numbers only, as text. */
export function valueAt(json: unknown, path: string): string | null {
  let here: unknown = json;
  for (const part of path.split(".")) {
    if (Array.isArray(here)) here = /^\d+$/.test(part) ? here[Number(part)] : undefined;
    else if (typeof here === "object" && here !== null && Object.hasOwn(here, part))
      here = (here as Record<string, unknown>)[part];
    else return null;
  }
  if (typeof here === "string" && here !== "") return here;
  if (typeof here === "number" && Number.isFinite(here)) return String(here);
  return null;
}

/** What a sample's inputs can be filled from: the redirect's parameters, and answers this page got. */
export interface SampleContext {
  /** Parameters kept from the redirect back (QuickBooks `realmId`). */
  readonly callback: Readonly<Record<string, string>>;
  /** The last JSON answer to each sample, by sample id. */
  readonly answers: Readonly<Record<string, unknown>>;
}

export type FilledSample =
  | { readonly ok: true; readonly url: string; readonly headers: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly url: string; readonly missing: readonly ApiSampleInput[] };

/** A sample's URL under `bases`, with its `{inputs}` filled in where known (else named as missing). */
export function fillSample(
  sample: ApiSample,
  bases: readonly string[],
  context: SampleContext,
): FilledSample {
  const base = bases[sample.base ?? 0] ?? bases[0] ?? "";
  const values: Record<string, string> = {};
  const missing: ApiSampleInput[] = [];
  for (const need of sample.needs ?? []) {
    const value =
      need.from === "callback"
        ? (context.callback[need.param] ?? null)
        : valueAt(context.answers[need.sample], need.path);
    if (value === null || value === "") missing.push(need);
    else values[need.name] = value;
  }
  const fill = (text: string, encode: boolean) =>
    text.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const value = values[name];
      if (value === undefined) return whole;
      return encode ? encodeURIComponent(value) : value;
    });
  const url = `${base}${base.endsWith("/") ? "" : "/"}${fill(sample.path, true)}`;
  if (missing.length > 0) return { ok: false, url, missing };
  const headers = Object.fromEntries(
    Object.entries(sample.headers ?? {}).map(([n, v]) => [n, fill(v, false)]),
  );
  return { ok: true, url, headers };
}

/**
 * `url` with every query value replaced by `[…]`, names kept (`?page=[…]&per_page=[…]`): what history
 * and diagnostic bundles keep of a URL, since query values can be anything (ids, emails, tokens). A
 * bare item (`?abc`) may as well be a value as a name, so it goes too; so does a fragment.
 */
export function withoutQueryValues(url: string): string {
  const cut = url.split("#")[0] ?? "";
  const at = cut.indexOf("?");
  if (at < 0) return cut;
  const query = cut
    .slice(at + 1)
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => {
      const eq = pair.indexOf("=");
      return eq < 0 ? "[…]" : `${pair.slice(0, eq)}=[…]`;
    })
    .join("&");
  return `${cut.slice(0, at)}${query === "" ? "" : `?${query}`}`;
}

/** A string as one POSIX shell word: single-quoted, a single quote written '\''. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}

/** The placeholder "Copy as curl" writes for the token unless the person asks for the real one. */
export const TOKEN_PLACEHOLDER = "$ACCESS_TOKEN";

/**
 * The request as a curl command, with what the relay adds: the Bearer token (as `$ACCESS_TOKEN`,
 * expanded by the shell, unless `token` is given) and `Accept: application/json` when no Accept is set.
 * The query is kept: it is the person's own copy.
 */
export function curlCommand(
  request: {
    readonly method: ApiCallMethod;
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly body: string | null;
  },
  token: string | null,
): string {
  const parts = ["curl"];
  if (request.method === "HEAD") parts.push("--head");
  else if (request.method !== "GET") parts.push("-X", request.method);
  parts.push(shellQuote(request.url));
  // Double quotes so the shell expands the variable; the real token goes in single quotes like the rest.
  parts.push(
    "-H",
    token === null
      ? `"Authorization: Bearer ${TOKEN_PLACEHOLDER}"`
      : shellQuote(`Authorization: Bearer ${token}`),
  );
  if (headerValue(request.headers, "accept") === undefined)
    parts.push("-H", shellQuote("Accept: application/json"));
  for (const [name, value] of Object.entries(request.headers))
    parts.push("-H", shellQuote(`${name}: ${value}`));
  if (request.body !== null && request.body !== "" && takesBody(request.method)) {
    parts.push("--data-raw", shellQuote(request.body));
  }
  return parts.join(" ");
}

/** What the answer view says above the body. */
export interface AnswerFacts {
  readonly status: number;
  readonly ms: number;
  /** Bytes of the body as the relay passed it (UTF-8). */
  readonly bytes: number;
  readonly contentType: string | undefined;
  /** The body parsed, when it is JSON by type or by look; undefined otherwise. */
  readonly json: unknown;
  readonly truncated: boolean;
}

/** The facts of an API answer, and its body as JSON when it is JSON. */
export function answerFacts(envelope: Envelope): AnswerFacts {
  const { upstream } = envelope;
  const contentType = headerValue(upstream.headers, "content-type");
  let json: unknown;
  const text = upstream.body.trim();
  if (!envelope.truncated && text !== "" && (isJsonType(contentType) || /^[[{]/.test(text))) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return {
    status: upstream.status,
    ms: envelope.ms,
    bytes: new TextEncoder().encode(upstream.body).byteLength,
    contentType,
    json,
    truncated: envelope.truncated === true,
  };
}

/** `1.2 kB`, `512 B`, `1.0 MB`: sizes for people. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
