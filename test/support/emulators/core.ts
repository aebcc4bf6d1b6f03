/**
 * What the provider emulators share: a node:http server on 127.0.0.1 that records every request, an
 * authorize page that sends the browser back with a code and the state, and token bookkeeping.
 * Test support only: the emulators behave as PROVIDERS.md says the real providers do, no more.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as an emulator saw and answered it. */
export interface EmulatorRequest {
  readonly at: number;
  readonly method: string;
  readonly path: string;
  /** For token requests: the grant_type presented ("" when none could be read). */
  grantType?: string;
  status: number;
}

/** What a route handler gets: the request, its body as text, and a way to answer. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly url: URL;
  readonly body: string;
  readonly record: EmulatorRequest;
  send(status: number, headers: Record<string, string>, body: string): void;
}

export type Route = (exchange: Exchange) => void;

/** What every provider emulator offers a test. */
export interface ProviderEmulator {
  readonly origin: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly identity_endpoint: string;
  /** Where its API lives, as the recipe's `api_base_urls` would say. */
  readonly api_base_urls: readonly string[];
  readonly clientId: string;
  readonly clientSecret: string;
  /** Every request, oldest first. */
  readonly requests: EmulatorRequest[];
  /** Registers one more redirect URI for the client (the app's port is known only once it listens). */
  register(redirectUri: string): void;
  close(): Promise<void>;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** Every request, oldest first. */
  readonly requests: EmulatorRequest[];
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 that answers `routes["METHOD /path"]` and 404 otherwise. */
export async function serve(
  routes: Readonly<Record<string, Route>>,
  now: () => number,
): Promise<RunningEmulator> {
  const requests: EmulatorRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const record: EmulatorRequest = { at: now(), method: req.method ?? "", path: url.pathname, status: 0 };
      requests.push(record);
      const exchange: Exchange = {
        req,
        url,
        body: Buffer.concat(chunks).toString("utf8"),
        record,
        send(status, headers, body) {
          record.status = status;
          res.writeHead(status, { "cache-control": "no-store", ...headers });
          res.end(body);
        },
      };
      const route = routes[`${req.method} ${url.pathname}`];
      if (route === undefined) exchange.send(404, { "content-type": "text/plain" }, "Not found\n");
      else route(exchange);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** An opaque token with a recognisable prefix. */
export function token(prefix: string): string {
  return `${prefix}${randomBytes(24).toString("base64url")}`;
}

const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"]/g, (c) => ESCAPES[c] ?? c);
}

/** A minimal HTML page; no script, no third-party resource. */
export function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><link rel="icon" href="data:,"></head><body>${body}</body></html>`;
}

/** Where a code is issued: the consent page (GET) and the user's decision (POST) on one path. */
export interface AuthorizeRoutesOptions {
  readonly provider: string;
  readonly path: string;
  readonly clientId: string;
  /** Why this redirect URI is refused (unregistered, or against the provider's rules), or null. */
  readonly redirectProblem: (redirectUri: string) => string | null;
  /** Stores a new code for the redirect URI and returns it. */
  readonly issueCode: (redirectUri: string) => string;
}

/**
 * The authorization endpoint: the consent page carries the request's redirect URI and state in hidden
 * fields to a POST on the same path, which sends the browser back with a code and the state, or with
 * access_denied. No script, no third-party resource.
 */
export function authorizeRoutes(options: AuthorizeRoutesOptions): Record<string, Route> {
  const html = { "content-type": "text/html; charset=utf-8" };
  const refuse = (exchange: Exchange, problem: string) =>
    exchange.send(
      400,
      html,
      page(`${options.provider} (emulated)`, `<h1>Invalid request</h1><p>${escapeHtml(problem)}</p>`),
    );
  const back = (exchange: Exchange, redirectUri: string, params: Readonly<Record<string, string>>) => {
    const target = new URL(redirectUri);
    for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
    exchange.send(302, { location: target.href, "content-type": "text/plain" }, "");
  };
  return {
    [`GET ${options.path}`]: (exchange) => {
      const q = exchange.url.searchParams;
      const redirectUri = q.get("redirect_uri") ?? "";
      const problem =
        q.get("client_id") === options.clientId ? options.redirectProblem(redirectUri) : "Unknown app.";
      if (problem !== null) return refuse(exchange, problem);
      const hidden = [
        ["redirect_uri", redirectUri],
        ["state", q.get("state") ?? ""],
      ]
        .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value ?? "")}">`)
        .join("");
      exchange.send(
        200,
        html,
        page(
          `${options.provider} (emulated): authorize`,
          `<h1>${escapeHtml(options.provider)} (emulated)</h1><p>An app asks to access your ${escapeHtml(options.provider)} account.</p><form method="post" action="${escapeHtml(options.path)}">${hidden}<button name="decision" value="approve">Approve</button> <button name="decision" value="deny">Deny</button></form>`,
        ),
      );
    },
    [`POST ${options.path}`]: (exchange) => {
      const form = new URLSearchParams(exchange.body);
      const redirectUri = form.get("redirect_uri") ?? "";
      const problem = options.redirectProblem(redirectUri);
      if (problem !== null) return refuse(exchange, problem);
      const state = form.get("state") ?? "";
      if (form.get("decision") !== "approve")
        return back(exchange, redirectUri, { error: "access_denied", state });
      back(exchange, redirectUri, { code: options.issueCode(redirectUri), state });
    },
  };
}

/** The Bearer token of a request, or null. */
export function bearer(req: IncomingMessage): string | null {
  const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "");
  return match?.[1] ?? null;
}

/** A request log line per grant, for tests: `[grant_type, status]`. */
export function tokenCalls(requests: readonly EmulatorRequest[]): [string, number][] {
  return requests.filter((r) => r.grantType !== undefined).map((r) => [r.grantType ?? "", r.status]);
}
