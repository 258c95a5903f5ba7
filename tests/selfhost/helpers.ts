/** Streams real sessions for the self-hosting tests: the real wrapper in a real PTY. */
import { spawnInPty } from "../support/pty.ts";
import { BUN, CLI, type TestServer } from "../support/server.ts";
import { waitFor } from "../support/wait.ts";

export type SessionRow = { id: string; name: string; status: string; exitCode: number | null; lastSeq: number; bytes: number };

/** Runs `bash -c program` under `claude-remote exec --name <name>`; resolves with its session once it exited. */
export async function wrapped(server: { api(p: string): Promise<Response> }, configDir: string, name: string, program: string) {
  const t = spawnInPty([BUN, CLI, "exec", "--name", name, "--", "bash", "-c", program], { env: { CLAUDE_REMOTE_CONFIG_DIR: configDir } });
  const session = () => sessionNamed(server, name);
  return { pty: t, session, exited: t.exited };
}

export async function sessionNamed(server: { api(p: string): Promise<Response> }, name: string): Promise<SessionRow | undefined> {
  const list = (await (await server.api("/api/sessions")).json()) as SessionRow[];
  return list.find((s) => s.name === name);
}

/** Waits until the named session has exited and its output is stored. */
export function waitExited(server: TestServer, name: string, timeoutMs = 20_000): Promise<SessionRow> {
  return waitFor(
    async () => {
      const s = await sessionNamed(server, name);
      return s?.status === "exited" ? s : undefined;
    },
    { what: `session ${name} exited`, timeoutMs },
  );
}
