import { describe, expect, it } from "vitest";
import {
  modalInputs,
  readInputAnswer,
  renderBlocks,
  renderMessage,
  renderView,
  safeForTerminal,
} from "../../../sandbox/demo/render.ts";
import type { JsonObject } from "../../../sandbox/slack/json.ts";
import { escapeMrkdwn } from "../../../services/slack/mrkdwn.ts";
import { HOSTILE_STRINGS } from "../../fixtures/hostile-strings.ts";

const mrkdwn = (text: string): JsonObject => ({ type: "mrkdwn", text });
const plain = (text: string): JsonObject => ({ type: "plain_text", text, emoji: true });
const button = (label: string, actionId: string, value?: string): JsonObject => ({
  type: "button",
  text: plain(label),
  action_id: actionId,
  ...(value === undefined ? {} : { value }),
});
const section = (text: string, accessory?: JsonObject): JsonObject => ({
  type: "section",
  text: mrkdwn(text),
  ...(accessory === undefined ? {} : { accessory }),
});
const message = (blocks: JsonObject[], text = "fallback") => ({
  channel: "C0SBXPMO01",
  ts: "1.000100",
  text,
  blocks,
});

describe("renderMessage", () => {
  it("numbers buttons across accessories and actions blocks, and remembers how to press each", () => {
    const rendered = renderMessage(
      message([
        section("*Proyecto A*", button("Ver", "project_open", "A")),
        {
          type: "actions",
          elements: [
            button("Reconocer", "finding_ack", "f1"),
            {
              type: "static_select",
              action_id: "filter",
              placeholder: plain("Filtrar"),
              options: [{ text: plain("Alta"), value: "high" }],
            },
            button("Resolver", "finding_resolve", "f1"),
          ],
        },
        section("*Proyecto B*", button("Abrir en Asana", "open_asana")),
      ]),
    );
    expect(rendered.text.split("\n")).toEqual([
      "*Proyecto A* [1 Ver]",
      "[2 Reconocer] [▾ Filtrar] [3 Resolver]",
      "*Proyecto B* [4 Abrir en Asana]",
    ]);
    expect(rendered.buttons).toEqual([
      expect.objectContaining({ number: 1, label: "Ver", actionId: "project_open", value: "A" }),
      expect.objectContaining({ number: 2, label: "Reconocer", actionId: "finding_ack", value: "f1" }),
      expect.objectContaining({ number: 3, label: "Resolver", actionId: "finding_resolve", value: "f1" }),
      expect.objectContaining({ number: 4, actionId: "open_asana", value: undefined }),
    ]);
    for (const b of rendered.buttons) expect(b.target).toEqual({ channel: "C0SBXPMO01", ts: "1.000100" });
  });

  it("continues the numbering of what was printed before it", () => {
    const rendered = renderMessage(
      message([{ type: "actions", elements: [button("Sí", "yes"), button("No", "no")] }]),
      { firstNumber: 5 },
    );
    expect(rendered.text).toBe("[5 Sí] [6 No]");
    expect(rendered.buttons.map((b) => b.number)).toEqual([5, 6]);
  });

  it("renders headers, sections with fields, context, dividers and links as a person reads them", () => {
    const rendered = renderMessage(
      message([
        { type: "header", text: plain("Hallazgos para revisar") },
        {
          type: "section",
          text: mrkdwn("🔴 *<https://app.asana.com/1/2/project/3|Migración &amp; más>* · PMO-156"),
          fields: [mrkdwn("*Avance*\n30 %"), mrkdwn("*Responsable*\n<@U0DEMOPM01>")],
        },
        { type: "divider" },
        {
          type: "context",
          elements: [
            mrkdwn("Datos al 21/11"),
            { type: "image", image_url: "https://x/y.png", alt_text: "x" },
            plain("hace 1 min"),
          ],
        },
        { type: "image", image_url: "https://x/y.png", alt_text: "gráfico" },
      ]),
      { names: new Map([["U0DEMOPM01", "Héctor Rodríguez"]]) },
    );
    expect(rendered.text.split("\n")).toEqual([
      "== Hallazgos para revisar ==",
      "🔴 *Migración & más* · PMO-156",
      "*Avance*: 30 %",
      "*Responsable*: @Héctor Rodríguez",
      "────────────",
      "Datos al 21/11 · hace 1 min",
      "[image: gráfico]",
    ]);
    expect(rendered.buttons).toEqual([]);
  });

  it("shows the text when a message has no blocks, and an unknown mention by its ID", () => {
    expect(renderMessage(message([], "Hola <@U0OTHER01>, *listo* &lt;3")).text).toBe(
      "Hola @U0OTHER01, *listo* <3",
    );
  });

  it("reads rich text as its words", () => {
    const rendered = renderMessage(
      message([
        {
          type: "rich_text",
          elements: [
            {
              type: "rich_text_section",
              elements: [
                { type: "text", text: "Hola " },
                { type: "user", user_id: "U0DEMOPM01" },
                { type: "emoji", name: "wave" },
              ],
            },
          ],
        },
      ]),
      { names: new Map([["U0DEMOPM01", "Héctor"]]) },
    );
    expect(rendered.text).toBe("Hola @Héctor:wave:");
  });
});

describe("hostile text", () => {
  it("stays as Slack shows it: an escaped <!channel> is text, a real one reads as a mention", () => {
    const name = "<!channel> urgente & <b>";
    const rendered = renderMessage(
      message([
        section(`*${escapeMrkdwn(name)}* · <!here>`),
        { type: "header", text: plain("<@U123> &amp; <b>") },
        { type: "actions", elements: [button("<!channel>", "x")] },
      ]),
    );
    expect(rendered.text.split("\n")).toEqual([
      "*<!channel> urgente & <b>* · @here",
      "== <@U123> &amp; <b> ==",
      "[1 <!channel>]",
    ]);
  });

  it("never lets a control character reach the terminal", () => {
    const rendered = renderMessage(
      message([section(`a\u001b[2Jb\u0007c\u202Ed\te`, button("x\u001b]0;pwned\u0007", "x"))]),
    );
    expect(rendered.text).toBe("a\\x1b[2Jb\\x07c\\u202ed\te [1 x\\x1b]0;pwned\\x07]");
    expect([...rendered.text].filter((c) => /\p{Cc}/u.test(c) && c !== "\t")).toEqual([]);
  });

  it("every hostile string, escaped by the app, reads back as itself (control characters shown)", () => {
    for (const hostile of HOSTILE_STRINGS) {
      expect(renderMessage(message([section(escapeMrkdwn(hostile))])).text).toBe(safeForTerminal(hostile));
    }
  });
});

describe("renderView", () => {
  const modal: JsonObject = {
    type: "modal",
    title: plain("Posponer hallazgo"),
    submit: plain("Posponer"),
    close: plain("Cancelar"),
    blocks: [
      section("🟡 *Media* · Proyecto"),
      {
        type: "input",
        block_id: "snooze_days",
        label: plain("¿Por cuánto tiempo?"),
        element: {
          type: "radio_buttons",
          action_id: "days",
          options: [
            { text: plain("1 día"), value: "1" },
            { text: plain("7 días"), value: "7" },
          ],
          initial_option: { text: plain("7 días"), value: "7" },
        },
      },
      {
        type: "input",
        block_id: "comment",
        optional: true,
        label: plain("Comentario"),
        hint: plain("Máximo 500 caracteres."),
        element: { type: "plain_text_input", action_id: "text", multiline: true },
      },
      {
        type: "input",
        block_id: "due",
        label: plain("Entrega"),
        element: { type: "datepicker", action_id: "date", initial_date: "2026-12-01" },
      },
    ],
  };

  it("shows a modal's title, inputs, the errors of its last submission, and its buttons' labels", () => {
    const rendered = renderView({ id: "V1", view: modal, errors: { comment: "Escribe algo" } });
    expect(rendered.text.split("\n")).toEqual([
      "[ Posponer hallazgo ]",
      "🟡 *Media* · Proyecto",
      "✎ ¿Por cuánto tiempo?: [radio_buttons: 7 días] {1 día | 7 días}",
      "✎ Comentario (optional): [plain_text_input]",
      "  Máximo 500 caracteres.",
      "  ⚠ Escribe algo",
      "✎ Entrega: [datepicker: 2026-12-01]",
      "(Posponer / Cancelar)",
    ]);
  });

  it("numbers a Home tab's buttons with the view as their target", () => {
    const rendered = renderView(
      {
        id: "VHOME1",
        view: { type: "home", blocks: [section("Mis proyectos", button("Siguiente", "home_next", "2"))] },
      },
      { firstNumber: 3 },
    );
    expect(rendered.text).toBe("Mis proyectos [3 Siguiente]");
    expect(rendered.buttons).toEqual([
      {
        number: 3,
        label: "Siguiente",
        target: { view_id: "VHOME1" },
        actionId: "home_next",
        value: "2",
        url: undefined,
      },
    ]);
  });

  it("lists a modal's inputs and reads what is typed for each", () => {
    const [days, comment, due] = modalInputs(modal);
    expect(days).toMatchObject({
      blockId: "snooze_days",
      actionId: "days",
      initial: "7 días",
      optional: false,
    });
    expect(comment).toMatchObject({ blockId: "comment", optional: true, hint: "Máximo 500 caracteres." });
    if (days === undefined || comment === undefined || due === undefined) throw new Error("three inputs");
    expect(readInputAnswer(days, "1")).toEqual({ ok: true, value: "1" });
    expect(readInputAnswer(days, "7 DÍAS")).toEqual({ ok: true, value: "7" });
    expect(readInputAnswer(days, "7")).toEqual({ ok: true, value: "7" });
    expect(readInputAnswer(days, "9")).toMatchObject({ ok: false });
    expect(readInputAnswer(days, "  ")).toEqual({ ok: true, value: undefined });
    expect(readInputAnswer(comment, "-")).toEqual({ ok: true, value: null });
    expect(readInputAnswer(comment, "línea 1\\nlínea 2")).toEqual({ ok: true, value: "línea 1\nlínea 2" });
    expect(readInputAnswer(due, "2026-12-24")).toEqual({ ok: true, value: "2026-12-24" });
    expect(readInputAnswer(due, "mañana")).toMatchObject({
      ok: false,
      problem: expect.stringContaining("YYYY-MM-DD"),
    });
  });
});

describe("renderBlocks", () => {
  it("skips what is not a block and names block types it does not know", () => {
    const rendered = renderBlocks([null, "x", { type: "video", title: plain("v") }], { view_id: "V1" });
    expect(rendered).toEqual({ text: "(video)", buttons: [] });
  });
});
