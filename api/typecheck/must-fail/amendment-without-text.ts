// An amendment requires proposed_text.
import createClient from "openapi-fetch";
import type { paths } from "../api";

const api = createClient<paths>();
export const p = api.POST("/api/v1/clauses/{cid}/comments", {
  params: { path: { cid: "c" } },
  // MUST FAIL
  body: { kind: "amendment", body: "Shorter, please." },
});
