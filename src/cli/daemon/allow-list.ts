/**
 * What this machine lets the server start: allowed project folders and agent presets, from
 * `<config dir>/daemon.json` and `claude-remote daemon` flags. Decided here, never by the server:
 * a start request only names a folder, a preset and a mode, and each is checked against this list.
 */
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, sep } from "node:path";
import { z } from "zod";
import {
  FolderPath,
  type PermissionMode,
  PermissionMode as Mode,
  PresetName,
  type PresetInfo,
  type RefusalCode,
} from "../../protocol/daemon.ts";
import { claudeBinary } from "../about.ts";
import { configDir } from "../config.ts";

/** Modes the phone may pick unless daemon.json or `--allow-mode` adds more (bypassPermissions and dontAsk never by default). */
const DEFAULT_MODES: PermissionMode[] = ["manual", "acceptEdits", "auto", "plan"];

const PresetConfig = z
  .object({
    /** The command and its fixed arguments; built-in presets (claude, codex, gemini) have their own. */
    command: z.array(z.string().min(1).max(4096)).min(1).max(64).optional(),
    agent: z.string().max(32).optional(),
    modes: z.array(Mode).max(8).optional(),
  })
  .strict();

const DaemonConfigFile = z
  .object({ folders: z.array(FolderPath).max(64).default([]), presets: z.record(PresetName, PresetConfig).default({}) })
  .strict();

export type Preset = { name: string; agent: string; command: string[]; modes: PermissionMode[] };

const BUILT_IN: Record<string, () => Omit<Preset, "name" | "modes">> = {
  claude: () => ({ agent: "claude", command: [claudeBinary() ?? "claude"] }),
  codex: () => ({ agent: "codex", command: ["codex"] }),
  gemini: () => ({ agent: "gemini", command: ["gemini"] }),
};

export type AllowList = { folders: string[]; presets: Map<string, Preset>; source: string };

function daemonConfigPath(env = process.env): string {
  return join(configDir(env), "daemon.json");
}

export type Flags = { folders: string[]; presets: string[]; modes: PermissionMode[] };

/** Builds the list from the file and the flags; throws with a message saying what is wrong. */
export function loadAllowList(flags: Flags, env = process.env): AllowList {
  const path = daemonConfigPath(env);
  let file: z.infer<typeof DaemonConfigFile> = { folders: [], presets: {} };
  if (existsSync(path)) {
    const r = DaemonConfigFile.safeParse(JSON.parse(readFileSync(path, "utf8")));
    if (!r.success) throw new Error(`${path}: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    file = r.data;
  }
  const folders: string[] = [];
  for (const f of [...file.folders, ...flags.folders]) {
    if (!isAbsolute(f)) throw new Error(`allowed folder ${f} is not an absolute path`);
    let real: string;
    try {
      real = realpathSync(f);
    } catch {
      throw new Error(`allowed folder ${f} does not exist`);
    }
    if (!statSync(real).isDirectory()) throw new Error(`allowed folder ${f} is not a directory`);
    if (real === sep) throw new Error("allowing / would allow every folder; name project folders");
    if (!folders.includes(real)) folders.push(real);
  }
  const names = [...new Set([...Object.keys(file.presets), ...flags.presets])];
  if (names.length === 0) names.push("claude");
  const presets = new Map<string, Preset>();
  for (const name of names) {
    const own = file.presets[name] ?? {};
    const built = BUILT_IN[name]?.();
    if (!own.command && !built)
      throw new Error(
        `preset ${name} has no command (built-in presets: ${Object.keys(BUILT_IN).join(", ")}; others need "command" in ${path})`,
      );
    const modes = [...new Set([...(own.modes ?? DEFAULT_MODES), ...flags.modes])];
    presets.set(name, { name, agent: own.agent ?? built?.agent ?? name, command: own.command ?? built!.command, modes });
  }
  return { folders, presets, source: existsSync(path) ? `${path} and the daemon's flags` : "the daemon's flags" };
}

export function presetInfo(list: AllowList): PresetInfo[] {
  return [...list.presets.values()].map((p) => ({
    name: p.name,
    agent: p.agent,
    modes: p.agent === "claude" ? p.modes : [],
    resumable: p.agent === "claude",
  }));
}

export type Refusal = { code: RefusalCode; message: string };

/**
 * The folder, resolved (symlinks, `..`), if it is an allowed folder or inside one. A symlink inside
 * an allowed folder that points out of it is refused: what counts is where it leads.
 */
export function checkFolder(list: AllowList, folder: string): { ok: true; path: string } | { ok: false; refusal: Refusal } {
  const named = list.folders.length ? list.folders.join(", ") : "(none)";
  const refuse = (why: string) => ({
    ok: false as const,
    refusal: {
      code: "folder_not_allowed" as const,
      message: `${why}; this machine's allowed folders are: ${named} (set with \`claude-remote daemon --allow-folder\` or "folders" in ${list.source})`,
    },
  });
  if (!isAbsolute(folder)) return refuse(`folder ${folder} is not an absolute path`);
  let real: string;
  try {
    real = realpathSync(folder);
  } catch {
    return refuse(`folder ${folder} does not exist`);
  }
  if (!statSync(real).isDirectory()) return refuse(`${folder} is not a directory`);
  const inside = list.folders.some((a) => real === a || real.startsWith(a.endsWith(sep) ? a : a + sep));
  return inside ? { ok: true, path: real } : refuse(`folder ${folder} is not in the allow-list`);
}

export function checkPreset(
  list: AllowList,
  name: string,
  mode: PermissionMode | undefined,
): { ok: true; preset: Preset } | { ok: false; refusal: Refusal } {
  const preset = list.presets.get(name);
  if (!preset)
    return {
      ok: false,
      refusal: {
        code: "preset_not_allowed",
        message: `preset ${name} is not offered by this machine; its presets are: ${[...list.presets.keys()].join(", ")} (set with \`claude-remote daemon --preset\` or "presets" in ${list.source})`,
      },
    };
  if (mode && preset.agent !== "claude")
    return { ok: false, refusal: { code: "mode_not_allowed", message: `preset ${name} (${preset.agent}) takes no permission mode` } };
  if (mode && !preset.modes.includes(mode))
    return {
      ok: false,
      refusal: {
        code: "mode_not_allowed",
        message: `permission mode ${mode} is not allowed for preset ${name}; allowed: ${preset.modes.join(", ")} (add one with \`claude-remote daemon --allow-mode\` or "modes" in ${list.source})`,
      },
    };
  return { ok: true, preset };
}
