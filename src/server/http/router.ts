import type { Principal } from "./auth.ts";
import type { App } from "../app.ts";

export type Method = "GET" | "POST" | "DELETE";

export type Ctx = {
  req: Request;
  url: URL;
  params: Record<string, string>;
  ip: string;
  principal: Principal | null;
  app: App;
};

export type Route = {
  method: Method;
  path: string;
  /** `open` routes need no credentials; `admin` routes need the admin token or a browser session. */
  auth: "open" | "admin";
  handler: (ctx: Ctx) => Response | Promise<Response>;
};

type Compiled = Route & { regex: RegExp; keys: string[] };

export class Router {
  private compiled: Compiled[] = [];

  constructor(readonly routes: readonly Route[]) {
    for (const r of routes) {
      const keys: string[] = [];
      const pattern = r.path.replace(/:([a-zA-Z]+)/g, (_, k: string) => {
        keys.push(k);
        return "([^/]+)";
      });
      this.compiled.push({ ...r, regex: new RegExp(`^${pattern}$`), keys });
    }
  }

  /** The route for this method and path; `methodMismatch` if the path exists under another method. */
  match(method: string, pathname: string): { route: Compiled; params: Record<string, string> } | "methodMismatch" | null {
    let pathExists = false;
    for (const r of this.compiled) {
      const m = r.regex.exec(pathname);
      if (!m) continue;
      pathExists = true;
      if (r.method !== method) continue;
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1])));
      return { route: r, params };
    }
    return pathExists ? "methodMismatch" : null;
  }
}
