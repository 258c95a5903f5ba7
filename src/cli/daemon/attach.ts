/**
 * `claude-remote attach [session]`: a local terminal takes over a background session, like
 * `tmux attach`: its current screen first, then live output; keys go to the agent; the terminal's
 * size becomes the session's. Ctrl-] detaches (the session keeps running). Exit code: 0 after a
 * detach, the agent's exit code if it ended while attached, 1 if the session could not be reached.
 */
import { userInfo } from "node:os";
import type { HostSessionInfo } from "../../protocol/host.ts";
import { RESET_AFTER_DETACH } from "../../terminal/ansi-repaint.ts";
import { enterRaw, restoreTerminal, terminalSize } from "../terminal.ts";
import { HostClient } from "./host-client.ts";
import { runningHosts } from "./hosts.ts";
import { hostSocketPath } from "./paths.ts";

const DETACH_KEY = 0x1d; // Ctrl-]

function complain(msg: string): number {
  process.stderr.write(`claude-remote attach: ${msg}\n`);
  return 1;
}

/** The one session `query` names (an id, an id prefix or a name), or why there is none. */
export function pickSession(hosts: HostSessionInfo[], query: string | undefined): HostSessionInfo | string {
  const list = () => hosts.map((h) => `  ${h.sessionId}  ${h.name}  ${h.cwd}`).join("\n");
  if (hosts.length === 0) return "no background sessions run on this machine (`claude-remote ls` lists sessions)";
  if (!query) return hosts.length === 1 ? hosts[0] : `${hosts.length} sessions run here; name one:\n${list()}`;
  const hits = hosts.filter((h) => h.sessionId === query || h.sessionId.startsWith(query) || h.name === query);
  if (hits.length === 1) return hits[0];
  return hits.length
    ? `${query} matches ${hits.length} sessions:\n${list()}`
    : `no background session matches ${query}; running here:\n${list()}`;
}

export async function attachCommand(query: string | undefined): Promise<number> {
  const picked = pickSession(await runningHosts(), query);
  if (typeof picked === "string") return complain(picked);
  let c: HostClient;
  try {
    c = await HostClient.connect(hostSocketPath(picked.sessionId));
  } catch (e) {
    return complain(`cannot reach session ${picked.sessionId}: ${(e as Error).message}`);
  }
  const out = process.stdout;
  let result: number | null = null;
  const ended = new Promise<void>((resolve) => {
    c.onReply((r) => {
      if (r.type === "screen" || r.type === "output") out.write(Buffer.from(r.data, "base64"));
      else if (r.type === "exit") {
        result = r.exitCode;
        resolve();
      } else if (r.type === "error") process.stderr.write(`\r\nclaude-remote attach: ${r.message}\r\n`);
    });
    void c.closed.then(() => resolve());
  });
  let detached = false;
  const onStdin = (buf: Buffer) => {
    const i = buf.indexOf(DETACH_KEY);
    const keys = i >= 0 ? buf.subarray(0, i) : buf;
    if (keys.length) c.send({ type: "input", data: keys.toString("base64") });
    if (i >= 0) {
      detached = true;
      c.close();
    }
  };
  const onWinch = () => c.send({ type: "resize", ...terminalSize() });
  enterRaw();
  process.stdin.on("data", onStdin);
  process.stdin.resume();
  process.on("SIGWINCH", onWinch);
  const who = `${userInfo().username}@${process.env.SSH_CONNECTION ? "ssh" : "local"}${process.stdin.isTTY ? "" : " (no tty)"}`;
  c.send({ type: "attach", ...terminalSize(), who });
  await ended;
  process.stdin.off("data", onStdin);
  process.stdin.pause();
  process.off("SIGWINCH", onWinch);
  out.write(RESET_AFTER_DETACH);
  restoreTerminal();
  c.sock.destroy();
  if (result !== null) {
    process.stderr.write(`claude-remote attach: the session ended (exit code ${result})\n`);
    return result;
  }
  if (detached) {
    process.stderr.write(
      `claude-remote attach: detached; ${picked.name} keeps running (claude-remote attach ${picked.sessionId.slice(0, 8)})\n`,
    );
    return 0;
  }
  return complain("the session's connection closed");
}
