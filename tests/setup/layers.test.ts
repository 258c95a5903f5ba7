// The src/ folders are layers: each imports only the ones below it (scripts/check-layers.ts).
import { describe, expect, test } from "bun:test";
import { ALLOWED, importsOf, layerProblems, repoEdges } from "../../scripts/check-layers.ts";
import { REPO } from "../support/server.ts";

describe("layers", () => {
  test("no folder of src imports one it must not", () => {
    expect(layerProblems(repoEdges(REPO))).toEqual([]);
  });

  test("the edges are found at all (a broken pattern would find none and pass)", () => {
    const edges = repoEdges(REPO);
    expect(edges.some((e) => e.from === "src/main.ts" && e.to === "src/server/main.ts")).toBe(true);
    expect(edges.some((e) => e.from.startsWith("src/server/") && e.to.startsWith("src/store/"))).toBe(true);
  });

  test("the wrapper importing the server is caught", () => {
    const edges = importsOf("src/cli/run.ts", 'import { serve } from "../server/main.ts";', REPO);
    expect(layerProblems(edges)).toEqual(["src/cli/run.ts imports ../server/main.ts: src/cli may import only protocol, terminal, agents"]);
  });

  test("a dynamic import and a store → server import are caught too", () => {
    const edges = importsOf("src/store/db.ts", 'const m = await import("../server/log.ts");', REPO);
    expect(layerProblems(edges)).toHaveLength(1);
  });

  test("protocol imports nothing of ours", () => {
    const edges = importsOf("src/protocol/frames.ts", 'import { x } from "../terminal/screen-state.ts";', REPO);
    expect(layerProblems(edges)[0]).toContain("src/protocol may import only nothing outside itself");
  });

  test("the allowed graph itself has no cycle", () => {
    const seen = new Set<string>();
    const visit = (layer: string, path: string[]): void => {
      expect(path).not.toContain(layer);
      if (seen.has(layer)) return;
      for (const below of ALLOWED[layer] ?? []) visit(below, [...path, layer]);
      seen.add(layer);
    };
    for (const layer of Object.keys(ALLOWED)) visit(layer, []);
  });
});
