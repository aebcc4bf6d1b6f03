/**
 * django-oauth-toolkit 1.7 (Debian's python3-django-oauth-toolkit, Django 3.2): the Django project in
 * ./django (settings.py and urls.py; serve.py sets it up and serves it), a fresh SQLite database and
 * RSA key per start in a temporary directory, Django admin's login form and DOT's consent page.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { startChild } from "./process.ts";
import { passScreens } from "./screens.ts";
import type { InteropServer, InteropServerOptions } from "./types.ts";

const PROJECT = fileURLToPath(new URL("./django", import.meta.url));
// Debian's interpreter, which has Debian's Django: a python3 earlier on PATH (pyenv, a venv) has not.
const PYTHON = "/usr/bin/python3";

export async function startDjangoOAuthToolkit(options: InteropServerOptions): Promise<InteropServer> {
  const dir = await mkdtemp(join(tmpdir(), "tokendesk-interop-dot-"));
  const user = { login: "ada", password: randomBytes(12).toString("base64url") };
  const client = {
    client_id: `tokendesk-${randomBytes(4).toString("hex")}`,
    client_secret: randomBytes(32).toString("base64url"),
    token_endpoint_auth_method: "client_secret_basic",
    scope: "openid read",
    redirect_uri: options.redirectUri,
  } as const;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const child = startChild(PYTHON, [join(PROJECT, "serve.py")], {
    cwd: PROJECT,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      LANG: "C.UTF-8",
      PYTHONDONTWRITEBYTECODE: "1",
      PYTHONUNBUFFERED: "1",
      INTEROP_DATA_DIR: dir,
      DJANGO_SECRET_KEY: randomBytes(32).toString("base64url"),
      OIDC_RSA_PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      DJANGO_SUPERUSER_USERNAME: user.login,
      DJANGO_SUPERUSER_EMAIL: "ada@example.test",
      DJANGO_SUPERUSER_PASSWORD: user.password,
      INTEROP_CLIENT_ID: client.client_id,
      INTEROP_CLIENT_SECRET: client.client_secret,
      INTEROP_REDIRECT_URI: options.redirectUri,
    },
  });
  const stop = async () => {
    await child.stop();
    await rm(dir, { recursive: true, force: true });
  };
  let port: string;
  try {
    [, port = ""] = await child.waitFor(/^listening on port (\d+)$/, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const origin = `http://127.0.0.1:${port}`;
  // DOT derives its issuer from the discovery URL it is asked on, minus "/.well-known/openid-configuration/".
  const issuer = `${origin}/o`;
  let stopping: Promise<void> | undefined;
  return {
    name: "django-oauth-toolkit",
    label: "django-oauth-toolkit 1.7.0 (Python, Django 3.2; Debian package)",
    issuer,
    metadataUrl: `${issuer}/.well-known/openid-configuration/`,
    client,
    endpoints: {
      authorization_endpoint: `${issuer}/authorize/`,
      token_endpoint: `${issuer}/token/`,
      userinfo_endpoint: `${issuer}/userinfo/`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      // Both exist in 1.7, though its discovery document names neither.
      revocation_endpoint: `${issuer}/revoke_token/`,
      introspection_endpoint: `${issuer}/introspect/`,
    },
    offers: {
      refresh: "rotating",
      revocation: true,
      introspection: true,
      pkceRequired: true,
      accessTokenFormat: "opaque",
      idToken: { onRefresh: false, atHash: true, audArray: false },
      // Its introspection view looks tokens up among access tokens only.
      introspects: { access: "describes", refresh: "answers inactive" },
    },
    // Its `sub` is the user's database id: the first user made, 1.
    user: { ...user, sub: "1", account: "1" },
    login: (page: Page, appOrigin: string) =>
      passScreens(page, appOrigin, [
        {
          name: "login",
          shows: (p) => p.getByLabel("Username:"),
          submit: async (p) => {
            await p.getByLabel("Username:").fill(user.login);
            await p.getByLabel("Password:").fill(user.password);
            await p.getByRole("button", { name: "Log in" }).click();
          },
        },
        {
          name: "consent",
          shows: (p) => p.getByRole("button", { name: "Authorize" }),
          submit: (p) => p.getByRole("button", { name: "Authorize" }).click(),
        },
      ]),
    log: child.log,
    stop() {
      stopping ??= stop();
      return stopping;
    },
  };
}
