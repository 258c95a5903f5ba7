// The image's contract, checked without a Docker engine: the Dockerfile's settings, its exact start
// command run as a process with the image's environment, the healthcheck command, compose.yml.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, REPO, freePort, tempDir } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";
import { envOf, execForm, last, parseDockerfile } from "./dockerfile.ts";

const dockerfile = readFileSync(join(REPO, "Dockerfile"), "utf8");
const stages = parseDockerfile(dockerfile);
const final = stages.at(-1)!;
const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
const imageEnv = envOf(final);
const cmd = execForm(last(final, "CMD")!.args);
const healthcheck = execForm(last(final, "HEALTHCHECK")!.args);

/** The image's `bun` is /usr/local/bin/bun; here it is the Bun running the tests (same version). */
const local = (argv: string[]) => (argv[0] === "bun" ? [BUN, ...argv.slice(1)] : argv);

const procs: ReturnType<typeof Bun.spawn>[] = [];
afterAll(() => {
  for (const p of procs) p.kill("SIGKILL");
});

function startImageCommand(env: Record<string, string>) {
  // WORKDIR /app holds package.json, bin, src, public: the repo root here.
  const p = Bun.spawn(local(cmd), {
    cwd: REPO,
    env: { ...process.env, ...imageEnv, LOG_LEVEL: "warn", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  procs.push(p);
  return p;
}

describe("Dockerfile", () => {
  test("builds on the official oven/bun image at the Bun version the lockfile pins", () => {
    const froms = stages.map((s) => s[0].args.split(/\s+/)[0]);
    expect(froms.length).toBeGreaterThanOrEqual(2); // multi-stage
    for (const f of froms) expect(f).toMatch(new RegExp(`^oven/bun:${pkg.dependencies.bun.replaceAll(".", "\\.")}(-slim)?$`));
  });

  test("installs production dependencies only, from the npm lockfile", () => {
    const runs = stages
      .flat()
      .filter((i) => i.op === "RUN")
      .map((i) => i.args)
      .join("\n");
    expect(runs).toMatch(/bun install --production --frozen-lockfile/);
    expect(stages.flat().some((i) => i.op === "COPY" && i.args.includes("package-lock.json"))).toBe(true);
  });

  test("runs as a non-root user with a HEALTHCHECK on /health and data in a /data volume", () => {
    const user = last(final, "USER")?.args.split(":")[0];
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user!);
    expect(healthcheck.join(" ")).toContain("/health");
    expect(last(final, "VOLUME")!.args).toMatch(/(^|[\s"[])\/data($|[\s",\]])/);
    expect(imageEnv).toMatchObject({ PORT: "7200", HOST: "0.0.0.0", CLAUDE_REMOTE_DATA_DIR: "/data" });
  });

  test("CMD is exactly what `npm start` runs", () => {
    expect(cmd).toEqual(pkg.scripts.start.split(/\s+/));
  });

  test("every path it copies exists and is not excluded by .dockerignore", () => {
    const ignored = new Set(
      readFileSync(join(REPO, ".dockerignore"), "utf8")
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("#")),
    );
    const copies = final.filter((i) => i.op === "COPY" && !i.args.startsWith("--from"));
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      const sources = c.args.split(/\s+/).slice(0, -1);
      for (const s of sources) {
        expect(existsSync(join(REPO, s))).toBe(true);
        expect(ignored.has(s)).toBe(false);
      }
    }
  });
});

describe("the image's start command, outside Docker", () => {
  test("serves /health and /ready with the image's environment, the HEALTHCHECK passes, SIGTERM exits 0", async () => {
    const port = freePort();
    const dataDir = tempDir("cr-image-");
    const proc = startImageCommand({ PORT: String(port), CLAUDE_REMOTE_DATA_DIR: dataDir });
    const base = `http://127.0.0.1:${port}`;
    const health = await waitFor(async () => (await fetch(`${base}/health`).catch(() => null))?.ok, { what: "/health", timeoutMs: 20_000 });
    expect(health).toBe(true);
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true });
    expect(existsSync(join(dataDir, "claude-remote.db"))).toBe(true);

    const check = () =>
      Bun.spawn(local(healthcheck), { env: { ...process.env, ...imageEnv, PORT: String(port) }, stdout: "ignore", stderr: "ignore" })
        .exited;
    expect(await check()).toBe(0);

    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(await check()).not.toBe(0); // and it notices the server is gone
  });

  test("invalid configuration fails at start, naming the variable", async () => {
    for (const [name, value] of [
      ["PORT", "abc"],
      ["CLAUDE_REMOTE_RETENTION_DAYS", "-1"],
      ["PUBLIC_URL", "not a url"],
    ]) {
      const proc = startImageCommand({ PORT: "0", CLAUDE_REMOTE_DATA_DIR: tempDir("cr-badcfg-"), [name]: value });
      const code = await proc.exited;
      const stderr = await new Response(proc.stderr as ReadableStream).text();
      expect(code).toBe(2);
      expect(stderr).toContain(name);
      expect(stderr).toContain(JSON.stringify(value));
    }
  });
});

describe("compose.yml", () => {
  const compose = Bun.which("docker-compose");
  if (!compose)
    console.warn("SKIPPED: docker-compose is not installed here, so compose.yml is not checked (CI installs Debian's docker-compose)");

  test.skipIf(!compose)("`docker-compose config` accepts it: one service, a named volume on /data, restart policy", async () => {
    const run = (args: string[]) =>
      Bun.spawnSync([compose!, "-f", join(REPO, "compose.yml"), ...args], {
        cwd: REPO,
        env: { ...process.env, COMPOSE_PROJECT_NAME: "crtest" },
      });
    const out = run(["config"]);
    expect(out.stderr.toString()).not.toMatch(/error/i);
    expect(out.exitCode).toBe(0);
    const text = out.stdout.toString();
    expect(text).toMatch(/claude-remote-data:\/data|source: claude-remote-data[\s\S]*target: \/data/);
    expect(text).toContain("restart: unless-stopped");
    expect(text).toMatch(/target: 7200|:7200/);
    const tls = run(["--profile", "tls", "config"]);
    expect(tls.exitCode).toBe(0);
    expect(tls.stdout.toString()).toContain("caddy");
  });
});
