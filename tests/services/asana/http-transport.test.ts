import { createServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpSend } from "../../../services/asana/http-transport.ts";
import { freePort, listenLocally } from "../../fixtures/local-server.ts";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string }> {
  const { port, close } = await listenLocally(createServer(handler));
  closers.push(close);
  return { url: `http://127.0.0.1:${port}` };
}

const get = { method: "GET", headers: { accept: "application/json" } };

describe("the Asana HTTP transport", () => {
  it("reads the answer whole, with its status and Retry-After, a character cut between chunks included", async () => {
    const server = await serve((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        response.writeHead(request.method === "POST" ? 429 : 200, { "retry-after": "30" });
        // Split across writes, with a character of two bytes cut between them.
        const body = JSON.stringify({ data: { name: "Migración", echo: Buffer.concat(chunks).toString() } });
        const bytes = Buffer.from(body);
        const cut = bytes.indexOf(Buffer.from("ó")) + 1;
        response.write(bytes.subarray(0, cut));
        setTimeout(() => response.end(bytes.subarray(cut)), 5);
      });
    });
    const { send } = createHttpSend(4);
    const first = await send(`${server.url}/projects`, { ...get, signal: new AbortController().signal });
    expect(first).toEqual({
      status: 200,
      text: JSON.stringify({ data: { name: "Migración", echo: "" } }),
      retryAfter: "30",
    });
    const posted = await send(`${server.url}/status_updates`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ data: { text: "Avance del 40 %" } }),
      signal: new AbortController().signal,
    });
    expect(posted.status).toBe(429);
    expect(JSON.parse(posted.text)).toEqual({
      data: { name: "Migración", echo: JSON.stringify({ data: { text: "Avance del 40 %" } }) },
    });
  });

  it("fails a request cut off mid-answer, and tells a deadline from a dropped connection", async () => {
    const server = await serve((request, response) => {
      response.writeHead(200, { "content-length": "1000" });
      response.write('{"data": [');
      if (request.url === "/drop") setTimeout(() => response.socket?.destroy(), 10);
    });
    const { send } = createHttpSend(4);
    const dropped = send(`${server.url}/drop`, { ...get, signal: new AbortController().signal });
    await expect(dropped).rejects.toThrow();
    await expect(dropped).rejects.not.toMatchObject({ name: "AbortError" });

    const deadline = new AbortController();
    setTimeout(() => deadline.abort(new DOMException("timed out", "TimeoutError")), 20);
    await expect(send(`${server.url}/slow`, { ...get, signal: deadline.signal })).rejects.toMatchObject({
      name: "AbortError",
    });
  });

  it("fails with the socket's error when nothing listens", async () => {
    const { send } = createHttpSend(4);
    const url = `http://127.0.0.1:${await freePort()}/projects`;
    await expect(send(url, { ...get, signal: new AbortController().signal })).rejects.toMatchObject({
      code: "ECONNREFUSED",
    });
  });
});
