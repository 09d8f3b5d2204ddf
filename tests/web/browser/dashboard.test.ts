import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { launchChromium } from "../../../bench/chromium.ts";
import { seedDashboard } from "../../../bench/web-data.ts";
import { ROWS_PER_PAGE } from "../../../web/portfolio-model.ts";
import { ADMIN, PM, project, START, type WebWorld, webWorld } from "../web-world.ts";

/**
 * The dashboard in a real headless Chromium over real HTTP (`npm run test:browser`): sign-in,
 * refusals, the portfolio's filters and sort without reloads, shared URLs, the project page, web
 * actions reaching the Slack alert, CSRF, hostile names and the CSP. UPDATE_SCREENSHOTS=1 also
 * writes docs/web-*.png.
 */

const HOSTILE = [
  `<img src=x onerror="window.__xss=1">`,
  `<script>window.__xss=2</script>`,
  "<!channel> & co",
];

let world: WebWorld;
let base: string;
let browser: Browser;
const cspErrors: string[] = [];

beforeAll(async () => {
  world = await webWorld();
  await world.seedProject();
  await world.seedFinding("1201");
  await world.seedFinding("1201", { ruleId: "no_activity", severity: "medium", alerted: false });
  await world.container.repos.projects.insertMany(
    HOSTILE.map((name, i) =>
      project({ gid: String(7000 + i), name, pmoId: `PMO-${7000 + i}`, responsable: name }),
    ),
  );
  await seedDashboard(world.container.store, { projects: 300, findings: 700, now: START });
  base = await world.listen();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: "es-ES" });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text()))
      cspErrors.push(message.text());
  });
  page.on("dialog", (dialog) => {
    cspErrors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return page;
}

async function signedIn(slackUserId: string): Promise<Page> {
  const page = await newPage();
  await page.goto(`${base}/auth/link?t=${encodeURIComponent(await world.linkToken(slackUserId))}`);
  await page.click("#continue");
  await page.waitForURL(`${base}/`);
  return page;
}

const visiblePmoIds = (page: Page) =>
  page.locator("#portfolio tbody tr:not([hidden]) td:first-child").allTextContents();

describe("the dashboard in Chromium", () => {
  it("signs in with a link; a used, expired or forged link is refused", async () => {
    const token = await world.linkToken(ADMIN);
    const page = await newPage();
    await page.goto(`${base}/auth/link?t=${encodeURIComponent(token)}`);
    await page.click("#continue");
    await page.waitForURL(`${base}/`);
    await page.waitForSelector("#portfolio[data-enhanced=true]");
    expect(await page.textContent("#count")).toMatch(/^(\d+) de \1 proyectos$/);
    expect(Number((await page.textContent("#count"))?.split(" ")[0])).toBeGreaterThan(300);

    const other = await newPage();
    await other.goto(`${base}/auth/link?t=${encodeURIComponent(token)}`);
    await other.click("#continue");
    expect(await other.textContent("main")).toContain("ya se usó");
    expect(await other.locator("#portfolio").count()).toBe(0);

    await other.goto(`${base}/auth/link?t=${encodeURIComponent(`${token.slice(0, -3)}xyz`)}`);
    expect(await other.textContent("main")).toContain("no es válido");

    const late = await world.linkToken(ADMIN);
    world.clock.now = new Date(START.getTime() + 11 * 60_000);
    try {
      await other.goto(`${base}/auth/link?t=${encodeURIComponent(late)}`);
      expect(await other.textContent("main")).toContain("caducó");
    } finally {
      world.clock.now = START;
    }
  });

  it("draws a page of rows, more as the reader scrolls, and filters over every project", async () => {
    const page = await signedIn(ADMIN);
    await page.waitForSelector("#portfolio[data-enhanced=true]");
    const rows = page.locator("#portfolio tbody tr");
    expect(await rows.count()).toBe(ROWS_PER_PAGE);
    await page.locator("#more").scrollIntoViewIfNeeded();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThan(ROWS_PER_PAGE);
    // The last project by PMO ID is far beyond the first page: the filter finds it in the records.
    const records = z
      .array(z.object({ r: z.tuple([z.string().nullable()]).rest(z.unknown()) }))
      .parse(JSON.parse((await page.textContent("#portfolio-rows")) ?? "[]"));
    const lastPmoId = records.at(-1)?.r[0] ?? "";
    expect(lastPmoId).not.toBe("");
    await page.fill("input[name=pmo]", lastPmoId);
    await page.waitForURL(new RegExp(`pmo=${encodeURIComponent(lastPmoId)}`));
    expect(await visiblePmoIds(page)).toContain(lastPmoId);
    expect(await page.isHidden("#more")).toBe(true);
  });

  it("shows no data on any route without a session", async () => {
    const page = await newPage();
    for (const path of ["/", "/projects/1201", "/findings", "/sync", "/charts"]) {
      const answer = await page.goto(`${base}${path}`);
      expect(answer?.status(), path).toBe(401);
      const text = (await page.textContent("body")) ?? "";
      expect(text).not.toContain("Portal de clientes");
      expect(text).toContain("/pmo panel");
    }
  });

  it("filters and sorts without reloading, keeps the state in the URL, and a shared URL shows the same table", async () => {
    const page = await signedIn(ADMIN);
    await page.evaluate("window.__samePage = true");
    await page.selectOption("select[name=vertical]", "Banca");
    await page.waitForURL(/vertical=Banca/);
    const verticals = await page
      .locator("#portfolio tbody tr:not([hidden]) td:nth-child(4)")
      .allTextContents();
    expect(verticals.length).toBeGreaterThan(0);
    expect(new Set(verticals)).toEqual(new Set(["Banca"]));
    expect(await page.textContent("#count")).toContain(`${verticals.length} de`);

    await page.click("a.sort[data-col=name]");
    await page.waitForURL(/sort=name/);
    await page.click("a.sort[data-col=name]");
    await page.waitForURL(/dir=desc/);
    const names = await page
      .locator("#portfolio tbody tr:not([hidden]) td.name > a:first-child")
      .allTextContents();
    const sorted = [...names].sort((a, b) =>
      b.localeCompare(a, "es", { numeric: true, sensitivity: "base" }),
    );
    expect(names.slice(0, 20)).toEqual(sorted.slice(0, 20));
    expect(await page.evaluate("window.__samePage")).toBe(true);

    const shared = page.url();
    const seen = await visiblePmoIds(page);
    const other = await signedIn(ADMIN);
    await other.goto(shared);
    expect(await visiblePmoIds(other)).toEqual(seen);
    expect(await other.inputValue("select[name=vertical]")).toBe("Banca");
  });

  it("opens a project: fields, findings, changelog, status updates", async () => {
    const page = await signedIn(ADMIN);
    await page.goto(`${base}/projects/1201`);
    expect(await page.textContent("h1")).toBe("Portal de clientes");
    expect(await page.locator("table.fields").textContent()).toContain("PMO-12");
    expect(await page.locator("table.findings").first().textContent()).toContain("Vence en 5 días");
  });

  it("acknowledges on the web and the Slack alert is updated in place", async () => {
    const page = await signedIn(PM);
    await page.goto(`${base}/projects/1201`);
    const form = page.locator("tr", { hasText: "Vence en 5 días" }).locator("form.ack");
    await form.locator("input[name=comment]").fill("Revisado con el equipo");
    await form.locator("button").click();
    await page.waitForURL(/notice=done\.acknowledge/);
    expect(await page.textContent(".notice")).toContain("Hallazgo reconocido");
    const updates = world.slack.updates();
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(updates.at(-1)?.body.blocks).toContain("Revisado con el equipo");
  });

  it("refuses a write without the CSRF token", async () => {
    const page = await signedIn(ADMIN);
    await page.goto(`${base}/projects/1201`);
    await page.evaluate(
      "for (const input of document.querySelectorAll('form.resolve input[name=_csrf]')) input.remove()",
    );
    const answer = page.waitForResponse((r) => r.url().endsWith("/findings/action"));
    await page.locator("tr", { hasText: "actividad" }).locator("form.resolve button").click();
    expect((await answer).status()).toBe(403);
    expect(await page.textContent("body")).toContain("código de seguridad");
    expect((await world.container.repos.findings.get("1201", "no_activity"))?.status).toBe("open");
  });

  it("renders hostile names as text, runs none of them, and breaks no CSP rule", async () => {
    const page = await signedIn(ADMIN);
    await page.goto(`${base}/?q=window`);
    expect(await page.locator("#portfolio tbody tr:not([hidden])").count()).toBe(2);
    // Drawn by the script from the records this time, not by the server.
    await page.goto(`${base}/`);
    await page.waitForSelector("#portfolio[data-enhanced=true]");
    await page.fill("input[name=q]", "window");
    await page.waitForURL(/q=window/);
    expect(await page.locator("#portfolio tbody tr").count()).toBe(2);
    expect(await page.locator("#portfolio tbody script, #portfolio tbody img").count()).toBe(0);
    await page.goto(`${base}/projects/7000`);
    expect(await page.textContent("h1")).toBe(HOSTILE[0]);
    await page.goto(`${base}/projects/7001`);
    expect(await page.textContent("h1")).toBe(HOSTILE[1]);
    expect(await page.evaluate("window.__xss")).toBeUndefined();
    await page.goto(`${base}/charts`);
    await page.waitForSelector("body[data-charts=drawn]");
    expect(await page.locator("canvas").count()).toBe(5);
    expect(cspErrors).toEqual([]);
  });

  it.runIf(process.env.UPDATE_SCREENSHOTS === "1")("writes the screenshots of docs/", async () => {
    mkdirSync("docs", { recursive: true });
    const page = await signedIn(ADMIN);
    await page.goto(`${base}/?sort=high&dir=desc`);
    await page.screenshot({ path: "docs/web-portfolio.png" });
    await page.goto(`${base}/projects/${"1300000000000000"}`);
    await page.screenshot({ path: "docs/web-project.png", fullPage: true });
    await page.goto(`${base}/charts`);
    await page.waitForSelector("body[data-charts=drawn]");
    await page.screenshot({ path: "docs/web-charts.png", fullPage: true });
  });
});
