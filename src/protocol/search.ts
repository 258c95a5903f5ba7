/** `GET /api/search?q=&mode=&limit=`: query parameters and the result shape. */
import { z } from "zod";

export const MAX_SEARCH_QUERY = 200;

export const SearchQuery = z.object({
  q: z.string().trim().min(1, "q is required").max(MAX_SEARCH_QUERY, `q is longer than ${MAX_SEARCH_QUERY} characters`),
  /** `words` (default): every word must appear, `word*` matches a prefix. `fts`: raw SQLite FTS5 syntax. */
  mode: z.enum(["words", "fts"]).default("words"),
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SearchResult = z.object({
  sessionId: z.string(),
  name: z.string(),
  status: z.string(),
  startedAt: z.number(),
  /** Plain text around the match (escape sequences removed). */
  snippet: z.string(),
  /** [start, end) offsets (UTF-16) of the matched words in `snippet`. */
  highlights: z.array(z.tuple([z.number().int(), z.number().int()])),
  /** Dashboard link to the session (`/#/s/<id>`, the dashboard's session view). */
  url: z.string(),
});
export type SearchResult = z.infer<typeof SearchResult>;
