/**
 * `claude-remote daemon --install`: a systemd user unit (Linux) or a launchd agent (macOS) that
 * runs the daemon with the same flags at login. Written only after an explicit yes (`--yes`, or
 * "y" typed at the question); says how to remove it. `--uninstall` removes it.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { configDir } from "../config.ts";
import type { DaemonArgs } from "./daemon.ts";

const UNIT = "claude-remote-daemon.service";
const LABEL = "dev.claude-remote.daemon";

export type ServiceFile = { path: string; text: string; enable: string; remove: string };

function quoteSystemd(a: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `"${a.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function xml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The service file for this platform, running `command` (the daemon with its flags). */
export function serviceFile(platform: NodeJS.Platform, command: string[], env: Record<string, string>, home = homedir()): ServiceFile {
  if (platform === "darwin") {
    const path = join(home, "Library/LaunchAgents", `${LABEL}.plist`);
    const args = command.map((a) => `    <string>${xml(a)}</string>`).join("\n");
    const envs = Object.entries(env)
      .map(([k, v]) => `    <key>${xml(k)}</key><string>${xml(v)}</string>`)
      .join("\n");
    const text = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>${LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${args}
  </array>
  <key>EnvironmentVariables</key>
  <dict>
${envs}
  </dict>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
</dict>
</plist>
`;
    return {
      path,
      text,
      enable: `launchctl load -w ${path}`,
      remove: `launchctl unload -w ${path} && rm ${path}   (or: claude-remote daemon --uninstall)`,
    };
  }
  const path = join(home, ".config/systemd/user", UNIT);
  const envLines = Object.entries(env)
    .map(([k, v]) => `Environment=${quoteSystemd(`${k}=${v}`)}`)
    .join("\n");
  const text = `[Unit]
Description=claude-remote daemon: lets your claude-remote server start sessions on this machine
After=network-online.target

[Service]
ExecStart=${command.map(quoteSystemd).join(" ")}
${envLines}
Restart=on-failure
RestartSec=5
# sessions it started run in their own processes and outlive a restart of the daemon
KillMode=process

[Install]
WantedBy=default.target
`;
  return {
    path,
    text,
    enable: `systemctl --user daemon-reload && systemctl --user enable --now ${UNIT}`,
    remove: `systemctl --user disable --now ${UNIT} && rm ${path}   (or: claude-remote daemon --uninstall)`,
  };
}

async function askYes(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  process.stderr.write(`${question} [y/N] `);
  for await (const line of console) return /^y(es)?$/i.test(line.trim());
  return false;
}

export async function installCommand(args: DaemonArgs, daemonFlags: string[]): Promise<number> {
  const env: Record<string, string> = { CLAUDE_REMOTE_CONFIG_DIR: configDir(), PATH: process.env.PATH ?? "/usr/bin:/bin" };
  if (process.env.CLAUDE_REMOTE_BIN_CLAUDE) env.CLAUDE_REMOTE_BIN_CLAUDE = process.env.CLAUDE_REMOTE_BIN_CLAUDE;
  const file = serviceFile(process.platform, [process.execPath, Bun.main, "daemon", ...daemonFlags], env);
  if (args.uninstall) {
    if (!existsSync(file.path)) {
      console.error(`claude-remote daemon: nothing installed at ${file.path}`);
      return 0;
    }
    rmSync(file.path);
    console.error(
      `claude-remote daemon: removed ${file.path}; stop a running one with: ${process.platform === "darwin" ? `launchctl remove ${LABEL}` : `systemctl --user stop ${UNIT}`}`,
    );
    return 0;
  }
  if (process.platform !== "linux" && process.platform !== "darwin") {
    console.error(`claude-remote daemon: --install knows systemd (Linux) and launchd (macOS), not ${process.platform}`);
    return 1;
  }
  if (args.folders.length === 0) {
    console.error("claude-remote daemon: --install needs the folders it may start sessions in: add --allow-folder <dir>");
    return 2;
  }
  console.error(
    `claude-remote daemon: this lets the dashboard of your server start ${args.presets.join(", ") || "claude"} sessions in ${args.folders.join(", ")} at every login.\nIt writes ${file.path}:\n\n${file.text}`,
  );
  if (!args.yes && !(await askYes("Write it?"))) {
    console.error("claude-remote daemon: nothing written (pass --yes, or answer y at a terminal)");
    return 1;
  }
  mkdirSync(join(file.path, ".."), { recursive: true });
  writeFileSync(file.path, file.text, { mode: 0o600 });
  console.error(`claude-remote daemon: wrote ${file.path}\n  start it: ${file.enable}\n  remove it: ${file.remove}`);
  return 0;
}
