// A query parameter the operation does not declare (the server answers 422).
import createClient from "openapi-fetch";
import type { paths } from "../api";

const api = createClient<paths>();
export const p = api.GET("/api/v1/guidelines/{gid}/events", {
  // MUST FAIL
  params: { path: { gid: "g" }, query: { last_id: 3 } },
});
