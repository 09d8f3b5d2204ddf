import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BLOCK_KIT } from "../../../services/slack/blocks/limits.ts";
import { parseButtonValue, parseCarriedJson } from "../../../services/slack/carried-json.ts";

const schema = z.object({ a: z.number() });

describe("parseButtonValue", () => {
  it("reads JSON the schema accepts", () => {
    expect(parseButtonValue('{"a":1}', schema)).toEqual({ a: 1 });
  });

  it("is null for anything else: not a string, too long, not JSON, not the shape", () => {
    expect(parseButtonValue(42, schema)).toBeNull();
    expect(parseButtonValue(undefined, schema)).toBeNull();
    expect(parseButtonValue(`{"a":1,"b":"${"x".repeat(BLOCK_KIT.buttonValue)}"}`, schema)).toBeNull();
    expect(parseButtonValue("{a:1", schema)).toBeNull();
    expect(parseButtonValue('{"a":"1"}', schema)).toBeNull();
  });

  it("takes the limit it is given (private_metadata is longer than a button value)", () => {
    const long = `{"a":1,"pad":"${"x".repeat(BLOCK_KIT.buttonValue)}"}`;
    expect(parseCarriedJson(long, 3_000, schema)).toEqual({ a: 1 });
    expect(parseCarriedJson(long, BLOCK_KIT.buttonValue, schema)).toBeNull();
  });
});
