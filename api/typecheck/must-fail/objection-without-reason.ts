// object requires a reason.
import createClient from "openapi-fetch";
import type { paths } from "../api";

const api = createClient<paths>();
export const p = api.PUT("/api/v1/clauses/{cid}/positions/{country}", {
  params: { path: { cid: "c", country: "CR" } },
  // MUST FAIL
  body: { stance: "object", clause_version: 1 },
});
