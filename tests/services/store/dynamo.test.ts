import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import {
  batchGet,
  batchPut,
  decodeCursor,
  encodeCursor,
  setExpression,
} from "../../../services/store/dynamo.ts";

// dynalite never answers with UnprocessedItems, so the retry loops are driven by a mocked client.
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "local" }));
const ddb = mockClient(DynamoDBDocumentClient);
const sleeps: number[] = [];
const sleep = async (ms: number) => {
  sleeps.push(ms);
};

afterEach(() => {
  ddb.reset();
  sleeps.length = 0;
});

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: `P#${i}`, sk: "META" }));

describe("batchPut", () => {
  it("writes in chunks of 25 and sends UnprocessedItems again after a backoff", async () => {
    let calls = 0;
    ddb
      .on(BatchWriteCommand)
      .callsFake((input: { RequestItems: Record<string, { PutRequest: { Item: object } }[]> }) => {
        calls++;
        const requests = input.RequestItems.t ?? [];
        // The first answer leaves the last 3 requests of the chunk unprocessed.
        return calls === 1 ? { UnprocessedItems: { t: requests.slice(-3) } } : { UnprocessedItems: {} };
      });
    const sent = await batchPut(doc, "t", items(60), sleep);
    const batches = ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems?.t?.length);
    expect(batches).toEqual([25, 3, 25, 10]);
    expect(sent).toBe(4);
    expect(sleeps).toHaveLength(1);
  });

  it("gives up with a typed error when items stay unprocessed", async () => {
    ddb.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => ({
      UnprocessedItems: { t: input.RequestItems.t },
    }));
    await expect(batchPut(doc, "t", items(2), sleep)).rejects.toMatchObject({ code: "batch_incomplete" });
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(8);
    expect(sleeps.every((ms, i) => i === 0 || ms >= 0)).toBe(true);
  });
});

describe("batchGet", () => {
  it("reads in chunks of 100 and asks again for UnprocessedKeys", async () => {
    let calls = 0;
    ddb
      .on(BatchGetCommand)
      .callsFake((input: { RequestItems: Record<string, { Keys: { pk: string }[] }> }) => {
        calls++;
        const keys = input.RequestItems.t?.Keys ?? [];
        if (calls === 1)
          return { Responses: { t: keys.slice(0, 90) }, UnprocessedKeys: { t: { Keys: keys.slice(90) } } };
        return { Responses: { t: keys } };
      });
    const found = await batchGet(doc, "t", items(150), sleep);
    expect(found).toHaveLength(150);
    expect(
      ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems?.t?.Keys?.length),
    ).toEqual([100, 10, 50]);
    expect(sleeps).toHaveLength(1);
  });
});

describe("expressions and cursors", () => {
  it("aliases every attribute name, reserved words included", () => {
    const expr = setExpression({ status: "open", name: "x", skipped: undefined }, ["expiresAt"]);
    expect(expr.UpdateExpression).toBe("SET #s0 = :s0, #s1 = :s1 REMOVE #r0");
    expect(expr.ExpressionAttributeNames).toEqual({ "#s0": "status", "#s1": "name", "#r0": "expiresAt" });
  });

  it("round-trips a cursor and refuses a forged one", () => {
    const key = { pk: "PROJECT#1", sk: "META" };
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
    expect(() => decodeCursor(Buffer.from(JSON.stringify({ pk: { S: "x" } })).toString("base64url"))).toThrow(
      /cursor/,
    );
    expect(() => decodeCursor("%%%")).toThrow(/cursor/);
    expect(decodeCursor(null)).toBeUndefined();
  });
});
