/**
 * LemonLDAP::NG 2.16 (Debian's liblemonldap-ng-portal-perl): its portal, a PSGI application, served by
 * Starman (./lemonldap/serve.pl, app.psgi) instead of nginx + FastCGI, configured by the two files
 * beside it (the local ini and lmConf-1.json) written per run into a temporary directory that
 * also holds its sessions. Demo authentication (its built-in users, e.g. dwho/dwho), its OpenID
 * Connect issuer with one relying party for tokendesk, its own login and consent pages.
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { startChild, tail } from "./process.ts";
import { passScreens } from "./screens.ts";
import type { InteropServer, InteropServerOptions } from "./types.ts";

const HERE = fileURLToPath(new URL("./lemonldap", import.meta.url));

/** Replaces each `"{{NAME}}"` (a JSON string) or `{{NAME}}` inside one with the value, escaped for JSON. */
function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {{${name}}}`);
    return JSON.stringify(value).slice(1, -1);
  });
}

const SESSIONS_COMMAND = "/usr/share/lemonldap-ng/bin/lemonldap-ng-sessions";

/** `lemonldap-ng-sessions delete <id>` against this run's configuration; rejects with its output. */
function deleteSession(dir: string, id: string): Promise<void> {
  // It switches to www-data (which cannot read this run's directory) unless told to stay who it is;
  // when not root the switch fails harmlessly, so the names matter only as root.
  const user = userInfo().username;
  const group = process.getuid?.() === 0 ? "root" : user;
  return new Promise((resolve, reject) => {
    execFile(
      "/usr/bin/perl",
      [SESSIONS_COMMAND, "--user", user, "--group", group, "delete", id],
      {
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          LLNG_DEFAULTCONFFILE: join(dir, "lemonldap-ng.ini"),
        },
        timeout: 20_000,
      },
      (error, stdout, stderr) => {
        if (error === null && stderr.trim() === "") resolve();
        else
          reject(
            new Error(`lemonldap-ng-sessions delete failed: ${error?.message ?? ""}\n${stdout}${stderr}`),
          );
      },
    );
  });
}

export async function startLemonLdapNg(options: InteropServerOptions): Promise<InteropServer> {
  const dir = await mkdtemp(join(tmpdir(), "tokendesk-interop-llng-"));
  for (const sub of ["conf", "sessions/lock", "psessions/lock", "cache"])
    await mkdir(join(dir, sub), { recursive: true });
  await writeFile(
    join(dir, "lemonldap-ng.ini"),
    fill(await readFile(join(HERE, "lemonldap-ng.ini"), "utf8"), { DIR: dir }),
  );
  const client = {
    client_id: `tokendesk-${randomBytes(4).toString("hex")}`,
    client_secret: randomBytes(32).toString("base64url"),
    token_endpoint_auth_method: "client_secret_basic",
    scope: "openid profile email offline_access",
    redirect_uri: options.redirectUri,
  } as const;
  const child = startChild("/usr/bin/perl", [join(HERE, "serve.pl")], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      LANG: "C.UTF-8",
      LLNG_DEFAULTCONFFILE: join(dir, "lemonldap-ng.ini"),
    },
  });
  const stop = async () => {
    await child.stop();
    await rm(dir, { recursive: true, force: true });
  };
  let portal: string;
  try {
    const [, port] = await child.waitFor(/^bound port (\d+)$/, 30_000);
    // The portal's URL (its issuer, too) names the port, so the configuration is written only now.
    portal = `http://127.0.0.1:${port}/`;
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const conf = fill(await readFile(join(HERE, "lmConf-1.json"), "utf8"), {
      PORTAL: portal,
      DIR: dir,
      PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      PUBLIC_KEY: publicKey.export({ type: "spki", format: "pem" }).toString(),
      KEY_ID: randomBytes(8).toString("hex"),
      CLIENT_ID: client.client_id,
      CLIENT_SECRET: client.client_secret,
      REDIRECT_URI: options.redirectUri,
    });
    JSON.parse(conf);
    await writeFile(join(dir, "conf", "lmConf-1.json"), conf);
    child.send("configured");
    // The socket already listens, so this waits in its backlog until Starman serves. The portal
    // initialises itself on the first request: a configuration it rejects shows only then.
    const metadata = await fetch(`${portal}.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(30_000),
    });
    if (metadata.status !== 200) {
      throw new Error(
        `LemonLDAP::NG answered its metadata with ${metadata.status}. Its output:\n${tail(child.log())}`,
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const oauth2 = `${portal}oauth2`;
  let stopping: Promise<void> | undefined;
  return {
    name: "lemonldap-ng",
    label: "LemonLDAP::NG 2.16.1 (Perl, Plack; Debian package)",
    issuer: portal,
    metadataUrl: `${portal}.well-known/openid-configuration`,
    client,
    endpoints: {
      authorization_endpoint: `${oauth2}/authorize`,
      token_endpoint: `${oauth2}/token`,
      userinfo_endpoint: `${oauth2}/userinfo`,
      jwks_uri: `${oauth2}/jwks`,
      revocation_endpoint: null,
      introspection_endpoint: `${oauth2}/introspect`,
    },
    offers: {
      refresh: "reusable",
      revocation: false,
      introspection: true,
      pkceRequired: true,
      accessTokenFormat: "opaque",
      idToken: { onRefresh: true, atHash: true, audArray: true },
      // It looks tokens up among its access tokens only.
      introspects: { access: "describes", refresh: "answers inactive" },
    },
    // One of the Demo backend's built-in users.
    user: { login: "dwho", password: "dwho", sub: "dwho", account: "Doctor Who" },
    login: (page: Page, appOrigin: string) =>
      passScreens(page, appOrigin, [
        {
          name: "login",
          // Its labels are icons and its placeholders come from a script: the fields go by name.
          shows: (p) => p.locator('form#lform input[name="user"]'),
          submit: async (p) => {
            await p.locator('form#lform input[name="user"]').fill("dwho");
            await p.locator('form#lform input[name="password"]').fill("dwho");
            await p.getByRole("button", { name: "Connect" }).click();
          },
        },
        {
          name: "consent",
          shows: (p) => p.getByRole("button", { name: /Accept/i }),
          submit: (p) => p.getByRole("button", { name: /Accept/i }).click(),
        },
      ]),
    // Its offline refresh token is the id of the session that holds the grant: the administrator
    // deletes that session with LemonLDAP::NG's own command (what the Manager's session explorer does).
    endGrant: (refreshToken: string) => deleteSession(dir, refreshToken),
    log: child.log,
    stop() {
      stopping ??= stop();
      return stopping;
    },
  };
}
