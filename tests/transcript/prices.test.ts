/** The price table: exact ids and dated ids only; a model it lacks is unknown, never a neighbour's price. */
import { expect, test } from "bun:test";
import { priceOf, tableCost } from "../../src/server/usage/figures.ts";

test("claude-opus-5-5 has its own published price, not claude-opus-5's", () => {
  expect(priceOf("claude-opus-5-5")).toEqual({ input: 4, cacheWrite5m: 5, cacheWrite1h: 8, cacheRead: 0.2, output: 20 });
  expect(priceOf("claude-opus-5-5-20260922")).toEqual(priceOf("claude-opus-5-5"));
  const cost = tableCost({
    model: "claude-opus-5-5",
    input: 1e6,
    output: 1e6,
    cacheRead: 1e6,
    cacheWrite: 2e6,
    cacheWrite1h: 1e6,
    costUsd: null,
  });
  expect(cost).toBeCloseTo(4 + 20 + 0.2 + 5 + 8, 9);
});

test("a model the table lacks is unknown", () => {
  expect(priceOf("claude-opus-5-6")).toBeNull();
  expect(priceOf("claude-opus-5-5x")).toBeNull();
  expect(tableCost({ model: "gpt-5", input: 1, output: 1, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, costUsd: null })).toBeNull();
});
