/** The Debian packages the interop servers need: one list, read by .ci/run and by the suite's setup. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const LIST = fileURLToPath(new URL("./debian-packages", import.meta.url));

/** The packages named in `debian-packages`, in order. */
export function debianPackages(): string[] {
  return readFileSync(LIST, "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** The packages of the list that are not installed (all of them on a machine without dpkg). */
export function missingDebianPackages(packages: readonly string[] = debianPackages()): string[] {
  let out = "";
  try {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax, not JavaScript's.
    out = execFileSync("dpkg-query", ["-W", "-f=${Package} ${db:Status-Status}\\n", ...packages], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch (error) {
    // dpkg-query exits 1 when some package is unknown, and still prints the known ones.
    out = (error as { stdout?: string }).stdout ?? "";
  }
  const installed = new Set(
    out
      .split("\n")
      .map((line) => line.split(" "))
      .filter(([, status]) => status === "installed")
      .map(([name]) => name),
  );
  return packages.filter((p) => !installed.has(p));
}

/** One line saying what is missing and the command that installs it. */
export function missingPackagesMessage(missing: readonly string[]): string {
  return `The interop servers need Debian packages that are not installed: run  apt-get update && apt-get install -y --no-install-recommends ${missing.join(" ")}  (as root; .ci/run does this).`;
}
