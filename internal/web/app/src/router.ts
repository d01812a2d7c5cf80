// A small history router: the server answers index.html for every path that
// is not the API's (SPA fallback), so each screen has a real, shareable URL.
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { name: "home" }
  | { name: "overview"; gid: string }
  | { name: "matrix"; gid: string }
  | { name: "drafts"; gid: string }
  | { name: "agenda"; gid: string }
  | { name: "draft"; gid: string; n: number }
  | { name: "clause"; cid: string }
  | { name: "notfound" };

export function parse(path: string): Route {
  const p = path.split("/").filter(Boolean).map(decodeURIComponent);
  if (p.length === 0) return { name: "home" };
  if (p[0] === "guidelines" && p[1]) {
    const gid = p[1];
    if (p.length === 2) return { name: "overview", gid };
    if (p[2] === "matrix" && p.length === 3) return { name: "matrix", gid };
    if (p[2] === "drafts" && p.length === 3) return { name: "drafts", gid };
    if (p[2] === "agenda" && p.length === 3) return { name: "agenda", gid };
    if (p[2] === "drafts" && p[3] && /^\d+$/.test(p[3]) && p.length === 4) return { name: "draft", gid, n: Number(p[3]) };
  }
  if (p[0] === "clauses" && p[1] && p.length === 2) return { name: "clause", cid: p[1] };
  return { name: "notfound" };
}

export function href(r: Route): string {
  switch (r.name) {
    case "home":
    case "notfound":
      return "/";
    case "overview":
      return `/guidelines/${encodeURIComponent(r.gid)}`;
    case "matrix":
      return `/guidelines/${encodeURIComponent(r.gid)}/matrix`;
    case "drafts":
      return `/guidelines/${encodeURIComponent(r.gid)}/drafts`;
    case "agenda":
      return `/guidelines/${encodeURIComponent(r.gid)}/agenda`;
    case "draft":
      return `/guidelines/${encodeURIComponent(r.gid)}/drafts/${r.n}`;
    case "clause":
      return `/clauses/${encodeURIComponent(r.cid)}`;
  }
}

const changed = new Set<() => void>();

export function navigate(to: string, replace = false) {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  changed.forEach((fn) => fn());
  window.scrollTo(0, 0);
}

window.addEventListener("popstate", () => changed.forEach((fn) => fn()));

export function useRoute(): Route {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const fn = () => setPath(location.pathname);
    changed.add(fn);
    return () => void changed.delete(fn);
  }, []);
  return parse(path);
}

/** onLink makes an <a href> navigate in the app (keeping ctrl/middle-click). */
export function onLink(e: MouseEvent) {
  const a = (e.currentTarget as HTMLAnchorElement | null) ?? null;
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute("href") ?? "/");
}
