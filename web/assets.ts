import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AssetUrls } from "./layout.ts";

/**
 * The stylesheet and the browser scripts, served by the app itself (no CDN: the app may run where
 * browsers cannot reach the internet). The scripts (web/client/*.ts, Chart.js included) are bundled
 * with esbuild in memory when the server starts; each is served under a name carrying its content
 * hash, so browsers may keep it for a year.
 */

export type Asset = { body: Uint8Array<ArrayBuffer>; type: string };
export type Assets = { urls: AssetUrls; get(name: string): Asset | undefined };

const SCRIPTS = ["portfolio", "charts"] as const;

/** The folder holding web/client, from the sources (tsx) or from a build (dist/, a cache folder). */
function clientFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "web", "client");
    if (existsSync(join(candidate, "portfolio.ts"))) return candidate;
    const here = join(dir, "client");
    if (existsSync(join(here, "portfolio.ts"))) return here;
    dir = dirname(dir);
  }
  const fromCwd = join(process.cwd(), "web", "client");
  if (existsSync(join(fromCwd, "portfolio.ts"))) return fromCwd;
  throw new Error("web/client not found: the dashboard's browser scripts are missing");
}

const hashOf = (body: Uint8Array): string => createHash("sha256").update(body).digest("hex").slice(0, 12);

let building: Promise<Assets> | null = null;

/** Built once per process (several apps in one test process share it). */
export function buildAssets(): Promise<Assets> {
  building ??= bundle();
  building.catch(() => {
    building = null;
  });
  return building;
}

async function bundle(): Promise<Assets> {
  const folder = clientFolder();
  const esbuild = await import("esbuild");
  const built = await esbuild.build({
    absWorkingDir: dirname(dirname(folder)),
    entryPoints: Object.fromEntries(SCRIPTS.map((name) => [name, join(folder, `${name}.ts`)])),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    outdir: "out",
    logLevel: "silent",
  });
  const byName = new Map<string, Asset>();
  const urls = new Map<string, string>();
  for (const file of built.outputFiles) {
    const name = file.path.split(/[\\/]/).at(-1)?.replace(/\.js$/, "") ?? "";
    const served = `${name}.${hashOf(file.contents)}.js`;
    byName.set(served, { body: new Uint8Array(file.contents), type: "text/javascript; charset=utf-8" });
    urls.set(name, `/assets/${served}`);
  }
  const css = new Uint8Array(await readFile(join(folder, "app.css")));
  const cssName = `app.${hashOf(css)}.css`;
  byName.set(cssName, { body: css, type: "text/css; charset=utf-8" });
  return {
    urls: {
      css: `/assets/${cssName}`,
      script: (name) => urls.get(name) ?? `/assets/${name}.js`,
    },
    get: (name) => byName.get(name),
  };
}
