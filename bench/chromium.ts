import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/**
 * Debian's `chromium` (or CHROMIUM_PATH), driven by playwright-core: no browser download. Missing,
 * it fails with how to install it, never skips.
 */
export function chromiumPath(): string {
  const given = process.env.CHROMIUM_PATH;
  if (given !== undefined && given !== "") return given;
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    try {
      const path = execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
      if (path !== "" && existsSync(path)) return path;
    } catch {
      // not this one
    }
  }
  throw new Error(
    "The browser tests need Chromium and none was found. Install it (Debian/Ubuntu: apt-get install -y chromium) or set CHROMIUM_PATH.",
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // As root (CI containers) Chromium refuses its sandbox.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}
