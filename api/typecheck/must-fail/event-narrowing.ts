// Narrowed to position.recorded, an event's data has no comment body.
import type { components } from "../api";

export function body(ev: components["schemas"]["Event"]): string {
  if (ev.type === "position.recorded") {
    // MUST FAIL
    return ev.data.body;
  }
  return "";
}
