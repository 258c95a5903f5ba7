import { parseWith } from "../../../protocol/common.ts";
import { SearchQuery, type SearchResult } from "../../../protocol/search.ts";
import { SearchQueryError, wordsQuery } from "../../../store/search.ts";
import { apiError, badRequest, json } from "../respond.ts";
import { SearchUnavailableError } from "../../ops/search-indexer.ts";
import type { Route } from "../router.ts";

export const searchRoutes: Route[] = [
  {
    method: "GET",
    path: "/api/search",
    auth: "admin",
    handler: async ({ app, url }) => {
      const parsed = parseWith(SearchQuery, Object.fromEntries(url.searchParams));
      if (!parsed.ok) return badRequest(parsed);
      const { q, mode, limit } = parsed.value;
      const match = mode === "fts" ? q : wordsQuery(q);
      if (!match) return json([]);
      try {
        const results: SearchResult[] = (await app.indexer.search(match, limit)).map((h) => ({
          ...h,
          url: `/#/s/${encodeURIComponent(h.sessionId)}`,
        }));
        return json(results);
      } catch (e) {
        if (e instanceof SearchQueryError) return apiError(400, "bad_query", `search syntax: ${e.message}`);
        if (e instanceof SearchUnavailableError)
          return apiError(503, "search_unavailable", `search is not available right now: ${e.message}`);
        throw e;
      }
    },
  },
];
