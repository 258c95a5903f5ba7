import { z } from "zod";

/** Named keys a phone lacks, and the bytes a terminal would send for them. */
export const KEY_BYTES = {
  esc: "\x1b",
  enter: "\r",
  tab: "\t",
  "shift-tab": "\x1b[Z",
  up: "\x1b[A",
  down: "\x1b[B",
  right: "\x1b[C",
  left: "\x1b[D",
  "ctrl-c": "\x03",
  "ctrl-d": "\x04",
  backspace: "\x7f",
  "1": "1",
  "2": "2",
  "3": "3",
  "4": "4",
  "5": "5",
  "6": "6",
  "7": "7",
  "8": "8",
  "9": "9",
} as const;

export type KeyName = keyof typeof KEY_BYTES;
export const KeyName = z.enum(Object.keys(KEY_BYTES) as [KeyName, ...KeyName[]]);

export function keysToBytes(keys: readonly KeyName[]): string {
  return keys.map((k) => KEY_BYTES[k]).join("");
}
