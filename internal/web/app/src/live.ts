// Live updates: one EventSource per open guideline, authenticated with a
// stream ticket (a browser cannot send the Authorization header on an
// EventSource). The ticket is reusable and sliding, so the browser's own
// reconnects work; when the server says `reauthenticate` or refuses the
// ticket, a new ticket is taken and the stream reopened with the last event
// id, with a growing pause. Screens subscribe and reload what an event
// touches.
import { useEffect, useState } from "preact/hooks";
import { api, must, signedIn, type Event } from "./api/client";

export type LiveState = "connecting" | "live" | "reconnecting" | "offline";

type Listener = (e: Event) => void;

let source: EventSource | null = null;
let gid: string | null = null;
let lastId: number | null = null;
let state: LiveState = "offline";
let retryTimer: number | undefined;
let attempts = 0;
const listeners = new Set<Listener>();
const stateListeners = new Set<(s: LiveState) => void>();

function setState(s: LiveState) {
  state = s;
  stateListeners.forEach((fn) => fn(s));
}

export function subscribe(fn: Listener): () => void {
  listeners.add(fn);
  return () => void listeners.delete(fn);
}

/** useLive calls fn for each live event while the component is mounted. */
export function useLive(fn: Listener, deps: unknown[]) {
  useEffect(() => subscribe(fn), deps);
}

export function useLiveState(): LiveState {
  const [s, set] = useState(state);
  useEffect(() => {
    stateListeners.add(set);
    set(state);
    return () => void stateListeners.delete(set);
  }, []);
  return s;
}

export function connect(guideline: string) {
  if (gid === guideline && source) return;
  disconnect();
  gid = guideline;
  lastId = null;
  attempts = 0;
  void open();
}

export function disconnect() {
  gid = null;
  window.clearTimeout(retryTimer);
  source?.close();
  source = null;
  setState("offline");
}

async function open() {
  const g = gid;
  if (!g || !signedIn()) return;
  setState(attempts === 0 ? "connecting" : "reconnecting");
  let ticket: string;
  try {
    const t = await must(api.POST("/api/v1/guidelines/{gid}/events/stream-ticket", { params: { path: { gid: g } } }));
    ticket = t.ticket;
  } catch {
    retry();
    return;
  }
  if (gid !== g) return;
  const q = new URLSearchParams({ ticket });
  if (lastId !== null) q.set("last_event_id", String(lastId));
  const es = new EventSource(`/api/v1/guidelines/${encodeURIComponent(g)}/events/stream?${q}`);
  source = es;
  es.addEventListener("connected", (m) => {
    attempts = 0;
    setState("live");
    const id = Number((m as MessageEvent).lastEventId);
    if (Number.isFinite(id) && lastId === null) lastId = id;
  });
  es.addEventListener("reauthenticate", () => reopen());
  es.addEventListener("shutdown", () => setState("reconnecting"));
  es.onmessage = null;
  es.onerror = () => {
    if (source !== es) return;
    // CONNECTING: the browser retries by itself (with Last-Event-ID).
    if (es.readyState === EventSource.CONNECTING) setState("reconnecting");
    else reopen(); // CLOSED: the ticket was refused; take a new one.
  };
  // Each event type is its own SSE event name; listen for all we know of
  // through one generic handler registered per type on first sight.
  for (const type of eventTypes) es.addEventListener(type, (m) => deliver(m as MessageEvent));
}

function deliver(m: MessageEvent) {
  const id = Number(m.lastEventId);
  if (Number.isFinite(id)) lastId = id;
  try {
    const e = JSON.parse(m.data as string) as Event;
    listeners.forEach((fn) => fn(e));
  } catch {
    /* not JSON: ignore */
  }
}

function reopen() {
  source?.close();
  source = null;
  retry();
}

function retry() {
  if (!gid) return;
  setState("reconnecting");
  attempts++;
  const wait = Math.min(30_000, 1000 * 2 ** Math.min(attempts - 1, 5));
  window.clearTimeout(retryTimer);
  retryTimer = window.setTimeout(() => void open(), wait);
}

window.addEventListener("online", () => {
  if (gid && state !== "live") {
    attempts = 0;
    reopen();
  }
});

// Every event type of the contract's Event union. A record keyed by the
// union keeps it checked both ways (schema.d.ts): a type the contract drops,
// or one it adds and this list misses, fails to compile, so no screen waits
// for an event the stream delivers under a name nobody listens to.
const eventTypeSet: Record<Event["type"], true> = {
  "guideline.created": true, "guideline.updated": true, "section.created": true, "section.updated": true,
  "clause.created": true, "clause.moved": true, "clause.text_changed": true, "clause.status_changed": true,
  "clause.alignment_confirmed": true, "clause.alternative_chosen": true, "guideline.translator_changed": true,
  "comment.created": true, "comment.edited": true, "comment.withdrawn": true, "comment.resolved": true,
  "position.recorded": true, "position.lapsed": true, "silence.started": true, "silence.broken": true, "silence.ended": true,
  "draft.created": true, "guideline.adopted": true, "user.created": true, "user.updated": true,
  "country.created": true, "country.alternate_designated": true, "country.alternate_revoked": true, "country.head_changed": true,
  "integration.created": true, "integration.updated": true, "webhook.created": true, "webhook.updated": true, "webhook.deleted": true,
  "input.created": true, "input.changed": true, "clause.sources_changed": true, "action.changed": true, "progress.reported": true,
};
const eventTypes = Object.keys(eventTypeSet) as Event["type"][];
