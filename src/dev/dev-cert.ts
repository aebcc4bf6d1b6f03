/**
 * A self-signed certificate for serving the dev server over https on 127.0.0.1, for providers that
 * refuse http redirect URIs (FreshBooks, QuickBooks production). Made once with openssl and kept in
 * `.tokendesk/dev-cert/` (git-ignored); remade when it is about to expire. Development only.
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface DevCertificate {
  readonly key: string;
  readonly cert: string;
  readonly certPath: string;
}

const DAY_MS = 86_400_000;

/** The certificate for 127.0.0.1 and localhost under `dir`, made or remade as needed. */
export function devCertificate(dir: string, now: number = Date.now()): DevCertificate {
  const keyPath = join(dir, "key.pem");
  const certPath = join(dir, "cert.pem");
  if (!(existsSync(keyPath) && existsSync(certPath) && validFor(certPath, now) > DAY_MS)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:prime256v1",
          "-nodes",
          "-keyout",
          keyPath,
          "-out",
          certPath,
          "-days",
          "30",
          "-subj",
          "/CN=tokendesk local development",
          "-addext",
          "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        { stdio: "pipe" },
      );
    } catch (error) {
      throw new Error(
        `tokendesk: could not make a local certificate with openssl (${error instanceof Error ? error.message : String(error)}). Install openssl, or serve over http.`,
      );
    }
  }
  return { key: readFileSync(keyPath, "utf8"), cert: readFileSync(certPath, "utf8"), certPath };
}

function validFor(certPath: string, now: number): number {
  try {
    return Date.parse(new X509Certificate(readFileSync(certPath)).validTo) - now;
  } catch {
    return 0;
  }
}
