// A typed client of the Consenso API, generated from api/openapi.yaml by
// openapi-typescript and driven with openapi-fetch. It must compile with
// `tsc --strict --noEmit`; run.sh checks it and that each must-fail/*.ts
// does not. Nothing here runs: the point is what the types allow.
import createClient from "openapi-fetch";
import type { components, paths } from "./api";

type Schemas = components["schemas"];
type Event = Schemas["Event"];

const api = createClient<paths>({ baseUrl: "https://consenso.example.org" });

// Positions: the stance decides which text comes with it.
export async function positions(cid: string, country: Schemas["CountryCode"]) {
  const path = "/api/v1/clauses/{cid}/positions/{country}" as const;
  const params = { path: { cid, country } };
  await api.PUT(path, { params, body: { stance: "agree", clause_version: 2 } });
  await api.PUT(path, { params, body: { stance: "abstain", clause_version: 2 } });
  await api.PUT(path, { params, body: { stance: "abstain", clause_version: 2, reason: "Awaiting instructions." } });
  await api.PUT(path, { params, body: { stance: "object", clause_version: 2, reason: "Conflicts with national law." } });
  const { data, error } = await api.PUT(path, {
    params,
    body: { stance: "agree_with_reservation", clause_version: 2, reservation: "Subject to ratification." },
  });
  if (error) {
    // Problem.data is typed by code.
    const current: number | undefined = error.data?.current_version;
    return current;
  }
  return data.clause_status;
}

// Comments: an amendment carries proposed text; other kinds carry none.
export async function comments(cid: string) {
  const path = "/api/v1/clauses/{cid}/comments" as const;
  await api.POST(path, { params: { path: { cid } }, body: { body: "Why 30 days?" } });
  await api.POST(path, { params: { path: { cid } }, body: { kind: "editorial", body: "Typo in line 2." } });
  await api.POST(path, {
    params: { path: { cid } },
    body: { kind: "amendment", body: "Shorter.", proposed_text: { en: "States shall act.", es: "Los Estados actuarán." } },
  });
}

// Lists: one shape, paged with cursor and limit.
export async function allGuidelines() {
  const out: Schemas["Guideline"][] = [];
  let cursor: string | undefined;
  for (;;) {
    const { data, error } = await api.GET("/api/v1/guidelines", { params: { query: { limit: 200, cursor } } });
    if (error) throw new Error(error.code);
    out.push(...data.items);
    if (data.next_cursor === null) return out;
    cursor = data.next_cursor;
  }
}

// The event log pages like every list; `after` stays for polling.
export async function events(gid: string, after: number) {
  const { data } = await api.GET("/api/v1/guidelines/{gid}/events", {
    params: { path: { gid }, query: { after, limit: 50 } },
  });
  const next: string | null | undefined = data?.next_cursor;
  return { items: data?.items ?? [], next, last: data?.last_id };
}

// An event's data is narrowed by its type.
export function describe(ev: Event): string {
  switch (ev.type) {
    case "comment.created":
      return `${ev.data.author.name} (${ev.data.country ?? "observer"}): ${ev.data.body}`;
    case "position.recorded":
      return `${ev.data.country} ${ev.data.stance} on version ${ev.data.version}`;
    default:
      return ev.type;
  }
}

// Adoption refused: the blocking clauses are typed.
export async function adopt(gid: string, n: number) {
  const { error } = await api.POST("/api/v1/guidelines/{gid}/drafts/{n}/adopt", {
    params: { path: { gid, n } },
  });
  const blocking = error?.data?.blocking ?? [];
  return blocking.map((b) => `${b.number}: ${b.objecting.join(", ")} object; ${b.unheard.join(", ")} unheard`);
}

// The agenda: a delegation's input, the challenges no clause answers yet,
// an action's details, a progress report and its event.
export async function agenda(gid: string, cid: string, ev: Event) {
  await api.POST("/api/v1/guidelines/{gid}/inputs", {
    params: { path: { gid } },
    body: { area: "prevention", kind: "challenge", text: { en: "No protocol." }, source: "National workshop, 2011" },
  });
  const { data } = await api.GET("/api/v1/guidelines/{gid}/inputs", {
    params: { path: { gid }, query: { kind: "challenge", unaddressed: "true" } },
  });
  const countries: string[] = (data?.items ?? []).map((i) => i.country);
  const action = await api.GET("/api/v1/clauses/{cid}/action", { params: { path: { cid } } });
  const responsible: string[] = action.data?.responsible ?? [];
  const report = await api.POST("/api/v1/clauses/{cid}/progress", {
    params: { path: { cid } },
    body: { status: "blocked", date: "2013-03-31", note: "Budget pending." },
  });
  const status: Schemas["ProgressStatus"] | undefined = report.data?.status;
  const said = ev.type === "progress.reported" ? `${ev.data.country}: ${ev.data.status}` : ev.type;
  return { countries, responsible, status, said };
}
