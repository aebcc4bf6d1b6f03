/**
 * A plain static file server on 127.0.0.1, behaving like GitHub Pages or any bucket behind a CDN:
 * files under a mount path, `index.html` for a directory, a redirect to add a directory's missing
 * slash, 404 for anything else. No rewrite rules and no headers beyond the content type, so a build
 * that works here works on the plainest static host.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

export interface StaticServer {
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** Where the files are served: origin + mount, ending in `/`. */
  readonly url: string;
  /** Every path requested, in order. */
  readonly requested: readonly string[];
  close(): Promise<void>;
}

/** Serves `root` under `mount` (e.g. `/tokendesk/`, or `/`). */
export async function startStaticServer(root: string, mount = "/"): Promise<StaticServer> {
  if (!mount.startsWith("/") || !mount.endsWith("/"))
    throw new Error(`mount must start and end with /: ${mount}`);
  const requested: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://static.invalid").pathname;
    requested.push(path);
    const notFound = () => {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("Not found");
    };
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" });
      res.end();
      return;
    }
    if (!path.startsWith(mount)) return notFound();
    let relative: string;
    try {
      relative = decodeURIComponent(path.slice(mount.length));
    } catch {
      return notFound();
    }
    const file = normalize(join(root, relative));
    if (file !== root && !file.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)) return notFound();
    void (async () => {
      const info = await stat(file).catch(() => null);
      if (info?.isDirectory()) {
        if (!path.endsWith("/")) {
          res.writeHead(301, { location: `${path}/` });
          res.end();
          return;
        }
        return send(join(file, "index.html"));
      }
      if (info?.isFile()) return send(file);
      notFound();
    })();

    async function send(target: string) {
      const info = await stat(target).catch(() => null);
      if (!info?.isFile()) return notFound();
      res.writeHead(200, {
        "content-type": TYPES[extname(target)] ?? "application/octet-stream",
        "content-length": String(info.size),
      });
      if (req.method === "HEAD") {
        res.end();
        return;
      }
      createReadStream(target).pipe(res);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: `${origin}${mount}`,
    requested,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
