/** The daemon's pieces on their own: the agent's command line, flags, the service file, the attach repaint, session picking. */
import { expect, test } from "bun:test";
import { pickSession } from "../../src/cli/daemon/attach.ts";
import { agentArgv, parseDaemonArgs } from "../../src/cli/daemon/daemon.ts";
import { serviceFile } from "../../src/cli/daemon/install.ts";
import type { HostSessionInfo } from "../../src/protocol/host.ts";
import { RemoteStart } from "../../src/server/ingest/remote-start.ts";
import { Logger } from "../../src/server/log.ts";
import { repaint } from "../../src/terminal/ansi-repaint.ts";
import { HeadlessScreen } from "../../src/terminal/headless.ts";

const claude = { name: "claude", agent: "claude", command: ["/bin/claude", "--model", "x"], modes: [] };

test("a first message that looks like an option stays a message: it comes after --", () => {
  const argv = agentArgv(
    claude,
    { message: "--dangerously-skip-permissions", permissionMode: "plan" },
    { id: "1b4e28ba-2fa1-11d2-883f-0016d3cca427", resume: false },
  );
  expect(argv).toEqual([
    "/bin/claude",
    "--model",
    "x",
    "--session-id",
    "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
    "--permission-mode",
    "plan",
    "--",
    "--dangerously-skip-permissions",
  ]);
  expect(agentArgv(claude, { continue: true }, null)).toEqual(["/bin/claude", "--model", "x", "--continue"]);
  expect(agentArgv({ ...claude, agent: "codex", command: ["codex"] }, { message: "-x", permissionMode: "plan" }, null)).toEqual([
    "codex",
    "--",
    "-x",
  ]);
});

test("daemon flags", () => {
  expect(parseDaemonArgs(["--allow-folder", "/a", "--allow-folder=/b", "--preset", "codex", "--allow-mode", "dontAsk"])).toMatchObject({
    folders: ["/a", "/b"],
    presets: ["codex"],
    modes: ["dontAsk"],
  });
  expect(parseDaemonArgs(["--allow-folder"])).toBe("--allow-folder needs a value");
  expect(parseDaemonArgs(["--what"])).toBe("unknown argument --what");
});

test("the systemd unit and the launchd agent run the daemon with its flags and say how to go away", () => {
  const cmd = ["/usr/bin/bun", "/opt/cr/bin/claude-remote", "daemon", "--allow-folder", "/home/u/my project"];
  const unit = serviceFile("linux", cmd, { CLAUDE_REMOTE_CONFIG_DIR: "/home/u/.config/claude-remote" }, "/home/u");
  expect(unit.path).toBe("/home/u/.config/systemd/user/claude-remote-daemon.service");
  expect(unit.text).toContain('ExecStart=/usr/bin/bun /opt/cr/bin/claude-remote daemon --allow-folder "/home/u/my project"');
  expect(unit.text).toContain("KillMode=process"); // restarting the daemon leaves its sessions running
  expect(unit.remove).toContain("systemctl --user disable --now claude-remote-daemon.service");
  const plist = serviceFile("darwin", cmd, { A: "<b>" }, "/Users/u");
  expect(plist.path).toBe("/Users/u/Library/LaunchAgents/dev.claude-remote.daemon.plist");
  expect(plist.text).toContain("<string>/home/u/my project</string>");
  expect(plist.text).toContain("<string>&lt;b&gt;</string>");
  expect(plist.remove).toContain("launchctl unload -w");
});

test("the attach repaint reproduces the screen, colours and cursor included", async () => {
  const a = new HeadlessScreen(40, 6);
  a.write("plain line\r\n\x1b[1;31mbold red\x1b[0m and \x1b[38;2;1;2;3mtrue\x1b[0m\r\n\x1b[7minverse\x1b[0m 漢字\r\n\x1b[3;5H");
  await a.flush();
  const b = new HeadlessScreen(40, 6);
  b.write("garbage that the repaint clears\r\nmore");
  b.write(repaint(a.styled()));
  await b.flush();
  expect(b.styled()).toEqual(a.styled());
});

test("attach picks one session by id, id prefix or name", () => {
  const s = (id: string, name: string) => ({ sessionId: id, name, cwd: "/p" }) as HostSessionInfo;
  const hosts = [s("aaaa1111-x", "claude · api"), s("bbbb2222-y", "claude · web")];
  expect(pickSession(hosts, "bbbb")).toBe(hosts[1]);
  expect(pickSession(hosts, "claude · api")).toBe(hosts[0]);
  expect(pickSession(hosts, undefined)).toContain("2 sessions run here");
  expect(pickSession([hosts[0]], undefined)).toBe(hosts[0]);
  expect(pickSession([], "x")).toContain("no background sessions");
});

test("the server hears which sessions a daemon starts or stops hosting (a dashboard's Stop depends on it)", () => {
  const heard: string[][] = [];
  const remote = new RemoteStart(new Logger("error"), (ids) => heard.push([...ids].sort()));
  const conn = { deviceId: "dev-1", send: () => {}, close: () => {} };
  const hosted = (sessionId: string) => ({ sessionId, pid: 1, cwd: "/w", preset: "claude", startedAt: 0 });
  remote.hello(conn, { type: "daemon.hello", v: 1, folders: [], presets: [], sessions: [hosted("s-a")] }, null);
  remote.sessions(conn, { type: "daemon.sessions", sessions: [hosted("s-a"), hosted("s-b")] });
  remote.sessions(conn, { type: "daemon.sessions", sessions: [hosted("s-a"), hosted("s-b")] }); // no change, nothing heard
  remote.sessions(conn, { type: "daemon.sessions", sessions: [hosted("s-b")] });
  remote.detach(conn);
  expect(heard).toEqual([["s-a"], ["s-b"], ["s-a"], ["s-b"]]);
});
