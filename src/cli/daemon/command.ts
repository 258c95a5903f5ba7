/** `claude-remote daemon [flags]`: run it, or install / remove it as a user service. */
import { usageError } from "../usage.ts";
import { daemonMain, parseDaemonArgs } from "./daemon.ts";

export async function daemonCommand(args: string[]): Promise<number> {
  const parsed = parseDaemonArgs(args);
  if (typeof parsed === "string") return usageError("daemon", parsed);
  if (parsed.install || parsed.uninstall) {
    const { installCommand } = await import("./install.ts");
    return installCommand(
      parsed,
      args.filter((a) => a !== "--install" && a !== "--yes" && a !== "--uninstall"),
    );
  }
  return daemonMain(parsed);
}
