/** `claude-remote daemon --install`: writes the systemd user unit only with explicit consent, says how to remove it; --uninstall removes it. */
import { expect, test } from "bun:test";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { BUN, CLI, tempDir } from "../support/server.ts";

test.skipIf(process.platform !== "linux")(
  "install needs consent, writes the unit with the daemon's flags, and uninstall removes it",
  () => {
    const home = tempDir("cr-home-");
    const project = tempDir("cr-proj-");
    const env = { ...process.env, HOME: home, CLAUDE_REMOTE_CONFIG_DIR: join(home, "cfg") };
    const unit = join(home, ".config/systemd/user/claude-remote-daemon.service");
    const run = (...args: string[]) => Bun.spawnSync([BUN, CLI, "daemon", ...args], { env, stdin: "ignore" });

    const noConsent = run("--install", "--allow-folder", project);
    expect(noConsent.exitCode).toBe(1);
    expect(noConsent.stderr.toString()).toContain("nothing written");
    expect(existsSync(unit)).toBe(false);

    expect(run("--install").stderr.toString()).toContain("--allow-folder"); // nothing allowed: refused before asking
    expect(existsSync(unit)).toBe(false);

    const yes = run("--install", "--yes", "--allow-folder", project);
    expect(yes.exitCode).toBe(0);
    const said = yes.stderr.toString();
    expect(said).toContain(`wrote ${unit}`);
    expect(said).toContain("remove it: systemctl --user disable --now claude-remote-daemon.service");
    const text = readFileSync(unit, "utf8");
    expect(text).toContain(`daemon --allow-folder ${project}`);
    expect(text).toContain(`Environment=CLAUDE_REMOTE_CONFIG_DIR=${join(home, "cfg")}`);
    expect(text).not.toContain("--yes");
    expect(statSync(unit).mode & 0o077).toBe(0);

    const gone = run("--uninstall");
    expect(gone.exitCode).toBe(0);
    expect(existsSync(unit)).toBe(false);
  },
);
