/** Keyset paging for lists: an opaque cursor is the sort key of the last row a page returned. */
import { NEXT_CURSOR_HEADER } from "../../protocol/api.ts";
import { apiError, json } from "./respond.ts";

export type Key = [number, string | number];

function encodeCursor(key: Key): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/** The key in a cursor, or null if it is not one of ours. */
export function decodeCursor(cursor: string): Key | null {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(v) && v.length === 2 && Number.isFinite(v[0]) && (typeof v[1] === "string" || Number.isFinite(v[1]))) return v as Key;
  } catch {}
  return null;
}

export const badCursor = () => apiError(400, "bad_request", "cursor is not one this server gave out");

/** A page as JSON: the body is the array; `next` (the last row's key, if more follow) goes in a header. */
export function pageResponse<T>(page: { items: T[]; next: Key | null }): Response {
  return json(page.items, 200, page.next ? { [NEXT_CURSOR_HEADER]: encodeCursor(page.next) } : {});
}
