// The API client: generated from api/openapi.yaml (schema.d.ts, by
// openapi-typescript; `npm run gen`), called through openapi-fetch. Tokens
// live in this module's memory only (docs/frontend.md explains why): the
// access token goes on every request, is refreshed shortly before it
// expires, and a 401 auth.invalid_token is refreshed once and retried.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Clause = Schemas["Clause"];
export type ClausePage = Schemas["ClausePage"];
export type Comment = Schemas["Comment"];
export type Position = Schemas["Position"];
export type Me = Schemas["Me"];
export type Guideline = Schemas["Guideline"];
export type Section = Schemas["Section"];
export type Matrix = Schemas["ConsensusMatrix"];
export type DiffOps = Schemas["DiffOps"];
export type Text = Schemas["Text"];
export type Problem = Schemas["Problem"];
export type ClauseStatus = Schemas["ClauseStatus"];
export type Event = Schemas["Event"];

/** ApiError is a refused or failed call: the problem document the API sent. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Problem | null;
  readonly etag: string | null;
  constructor(status: number, problem: Problem | null, etag: string | null) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code ?? (status === 0 ? "network" : `http.${status}`);
    this.problem = problem;
    this.etag = etag;
  }
}

interface Tokens {
  access: string;
  refresh: string;
  /** Browser time (ms) after which the access token is refreshed first. */
  refreshAt: number;
}

let tokens: Tokens | null = null;
let refreshing: Promise<boolean> | null = null;
const sessionEnded = new Set<(reason: string) => void>();

/** onSessionEnded registers a callback for when signing in again is needed. */
export function onSessionEnded(fn: (reason: string) => void): () => void {
  sessionEnded.add(fn);
  return () => sessionEnded.delete(fn);
}

function endSession(reason: string) {
  if (!tokens) return;
  tokens = null;
  sessionEnded.forEach((fn) => fn(reason));
}

function keep(pair: Schemas["TokenPair"]) {
  // Refresh a minute early, or at half the lifetime for short ones.
  const margin = Math.min(60, pair.expires_in / 2) * 1000;
  tokens = { access: pair.access_token, refresh: pair.refresh_token ?? "", refreshAt: Date.now() + pair.expires_in * 1000 - margin };
}

export function signedIn(): boolean {
  return tokens !== null;
}

export function accessToken(): string | null {
  return tokens?.access ?? null;
}

const base = createClient<paths>({
  baseUrl: "",
  querySerializer: { array: { style: "form", explode: false } },
});

/** refresh spends the refresh token once; concurrent callers share it. */
export function refresh(): Promise<boolean> {
  if (!tokens) return Promise.resolve(false);
  if (refreshing) return refreshing;
  const spent = tokens.refresh;
  refreshing = (async () => {
    try {
      const { data, response } = await base.POST("/api/v1/auth/refresh", { body: { refresh_token: spent } });
      if (data) {
        keep(data);
        return true;
      }
      if (response.status === 401) endSession("auth.invalid_refresh_token");
      return false;
    } catch {
      return false; // offline: keep the tokens and try again later
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

const retries = new Map<string, Request>();

const authMiddleware: Middleware = {
  async onRequest({ request, id }) {
    if (request.url.includes("/api/v1/auth/login") || request.url.includes("/api/v1/auth/refresh")) return request;
    if (tokens && Date.now() >= tokens.refreshAt) await refresh();
    if (tokens) request.headers.set("Authorization", `Bearer ${tokens.access}`);
    retries.set(id, request.clone());
    return request;
  },
  async onResponse({ response, id }) {
    const again = retries.get(id);
    retries.delete(id);
    if (response.status !== 401 || !tokens) return response;
    const code = await problemCode(response);
    if (code === "auth.invalid_token" && again && (await refresh()) && tokens) {
      again.headers.set("Authorization", `Bearer ${(tokens as Tokens).access}`);
      return fetch(again);
    }
    if (code === "auth.session_revoked" || code === "auth.invalid_token") endSession(code);
    return response;
  },
  onError({ id }) {
    retries.delete(id);
  },
};

async function problemCode(r: Response): Promise<string> {
  try {
    const p = (await r.clone().json()) as { code?: string };
    return p.code ?? "";
  } catch {
    return "";
  }
}

export const api = createClient<paths>({
  baseUrl: "",
  querySerializer: { array: { style: "form", explode: false } },
});
api.use(authMiddleware);

/** must unwraps an openapi-fetch answer: its data, or an ApiError. */
export async function must<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await call;
  } catch {
    throw new ApiError(0, null, null);
  }
  if (r.response.ok && r.data !== undefined) return r.data;
  if (r.response.ok) return undefined as T; // 204
  const problem = (r.error && typeof r.error === "object" ? r.error : null) as Problem | null;
  throw new ApiError(r.response.status, problem, r.response.headers.get("ETag"));
}

export async function signIn(email: string, password: string): Promise<void> {
  const pair = await must(base.POST("/api/v1/auth/login", { body: { email, password } }));
  keep(pair);
}

export async function signOut(): Promise<void> {
  const t = tokens;
  if (!t) return;
  try {
    await api.POST("/api/v1/auth/logout", { body: { refresh_token: t.refresh } });
  } finally {
    tokens = null;
  }
}

/** download fetches a rendering with the token and saves it as a file. */
export async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(path, { headers: tokens ? { Authorization: `Bearer ${tokens.access}` } : {} });
  if (!res.ok) {
    let problem: Problem | null = null;
    try {
      problem = (await res.json()) as Problem;
    } catch {
      /* not a problem document */
    }
    throw new ApiError(res.status, problem, null);
  }
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
