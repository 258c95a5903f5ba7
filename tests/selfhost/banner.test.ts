/**
 * The first-start banner on a loopback bind says how to reach the server from a phone and prints no
 * QR code (a phone cannot open 127.0.0.1); a restart says how to get a link; `claude-remote
 * login-link` finds the running server's port in the data dir without PORT.
 */
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { isLoopbackUrl, loginBanner } from "../../src/server/ops/banner.ts";
import { BUN, CLI, freePort, spawnServerProcess, tempDir, waitForHealth } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

async function collect(stream: ReadableStream<Uint8Array>, onText: (t: string) => void) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onText(decoder.decode(value, { stream: true }));
  }
}

test("isLoopbackUrl", () => {
  for (const u of ["http://127.0.0.1:7200", "http://localhost:7200", "http://[::1]:7200", "http://0.0.0.0:7200", "http://127.1.2.3"])
    expect(isLoopbackUrl(u)).toBe(true);
  for (const u of ["http://192.168.1.20:7200", "https://remote.example.test", "http://[fd00::1]:7200"])
    expect(isLoopbackUrl(u)).toBe(false);
});

test("a banner for an address a phone can open has the QR code; a loopback one says how to get there instead", async () => {
  const lan = await loginBanner("http://192.168.1.20:7200", "t1");
  expect(lan).toContain("▀");
  expect(lan).toContain("scan it with your phone");
  const local = await loginBanner("http://127.0.0.1:7200", "t1");
  expect(local).not.toContain("▀");
  expect(local).not.toContain("scan");
  expect(local).toContain("HOST=0.0.0.0 PUBLIC_URL=http://");
  expect(local).toContain("--profile tls");
  expect(local).toContain("claude-remote login-link");
});

test("first start on loopback: the plain words, no QR; a restart says how to get a link; login-link finds the port by itself", async () => {
  const dataDir = tempDir("cr-banner-");
  const port = freePort();
  const local = `http://127.0.0.1:${port}`;
  const env = { PORT: String(port), CLAUDE_REMOTE_DATA_DIR: dataDir, CLAUDE_REMOTE_ADMIN_TOKEN: "", PUBLIC_URL: "" };
  let out = "";
  const first = spawnServerProcess(env);
  const r1 = collect(first.stdout, (t) => (out += t));
  try {
    await waitForHealth(local);
    await waitFor(() => out.includes("login-link` for a link"), { what: "the first-start banner" });
    expect(out).toContain(`${local}/#login=`);
    expect(out).toContain("Your phone cannot open this address");
    expect(out).not.toContain("▀");
  } finally {
    first.kill();
    await first.exited;
    await r1;
  }
  expect(existsSync(join(dataDir, "server.json"))).toBe(false); // removed at shutdown

  let out2 = "";
  const second = spawnServerProcess(env);
  const r2 = collect(second.stdout, (t) => (out2 += t));
  try {
    await waitForHealth(local);
    await waitFor(() => out2.includes("run `claude-remote login-link`"), { what: "the restart line" });
    expect(out2).not.toContain("#login=");
    // no PORT given: the command reads where the running server listens
    const cliEnv: Record<string, string | undefined> = { ...process.env, CLAUDE_REMOTE_DATA_DIR: dataDir };
    delete cliEnv.PORT;
    delete cliEnv.HOST;
    delete cliEnv.PUBLIC_URL;
    const cli = Bun.spawnSync([BUN, CLI, "login-link"], { env: cliEnv as Record<string, string> });
    expect(cli.exitCode).toBe(0);
    expect(cli.stdout.toString()).toContain(`${local}/#login=`);
  } finally {
    second.kill();
    await second.exited;
    await r2;
  }
}, 60_000);
