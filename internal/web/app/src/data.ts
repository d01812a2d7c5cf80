// Loaders shared by several screens: each follows the API's pages to the end.
import { api, must, type Clause, type Matrix } from "./api/client";
import { allPages } from "./components/ui";

export type MatrixRow = Matrix["clauses"][number];

export interface MatrixAll {
  participants: string[];
  rows: MatrixRow[];
  blocking: string[];
  ready: boolean;
}

export async function loadMatrix(gid: string): Promise<MatrixAll> {
  const rows: MatrixRow[] = [];
  const blocking: string[] = [];
  let cursor: string | undefined;
  let participants: string[] = [];
  let ready = false;
  for (let i = 0; i < 100; i++) {
    const m = await must(api.GET("/api/v1/guidelines/{gid}/consensus", { params: { path: { gid }, query: { limit: 200, cursor } } }));
    participants = m.participants;
    ready = m.ready_for_adoption;
    rows.push(...m.clauses);
    blocking.push(...m.blocking);
    if (!m.next_cursor) break;
    cursor = m.next_cursor;
  }
  return { participants, rows, blocking, ready };
}

export function loadClauses(gid: string): Promise<Clause[]> {
  return allPages((cursor) => must(api.GET("/api/v1/guidelines/{gid}/clauses", { params: { path: { gid }, query: { limit: 200, cursor } } })));
}

/** Per clause: comments in all, open ones, and open amendments among them. */
export async function loadCommentCounts(gid: string): Promise<Map<string, { total: number; open: number; amendments: number }>> {
  const rows = await allPages((cursor) =>
    must(api.GET("/api/v1/guidelines/{gid}/comments/counts", { params: { path: { gid }, query: { limit: 200, cursor } } })),
  );
  const out = new Map<string, { total: number; open: number; amendments: number }>();
  for (const row of rows) {
    const v = out.get(row.clause_id) ?? { total: 0, open: 0, amendments: 0 };
    v.total += row.total;
    v.open += row.by_status["open"] ?? 0;
    v.amendments += row.open_amendments ?? 0;
    out.set(row.clause_id, v);
  }
  return out;
}

/** The clause statuses in which a country's position is asked for. */
export const takesPositions = (status: string) => status === "open" || status === "contested" || status === "consensus" || status === "silence";

/** A debounced reload for bursts of live events. */
export function debounce(fn: () => void, ms = 250): () => void {
  let timer: number | undefined;
  return () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(fn, ms);
  };
}
