import { createContext } from "preact";
import { useCallback, useContext, useEffect, useState } from "preact/hooks";
import { api, must, onSessionEnded, signOut, type Guideline, type Me, type Section } from "./api/client";
import { Link, Loading, ErrorBox } from "./components/ui";
import { countryName, setLang, t, useLang, type Key, type Lang } from "./i18n";
import { connect, disconnect, useLiveState } from "./live";
import { href, navigate, useRoute, type Route } from "./router";
import { SessionContext } from "./session";
import { AgendaScreen } from "./screens/agenda";
import { ClauseScreen } from "./screens/clause";
import { DraftScreen, DraftsScreen } from "./screens/drafts";
import { MatrixScreen } from "./screens/matrix";
import { OverviewScreen } from "./screens/overview";
import { SignIn } from "./screens/signin";

export interface GuidelineInfo {
  guideline: Guideline;
  sections: Section[];
}

const GuidelineContext = createContext<{ info: GuidelineInfo | null; show: (gid: string) => void }>({ info: null, show: () => {} });

/** useGuideline tells the shell which guideline a screen shows (for the navigation and the live stream) and returns it once loaded. */
export function useGuideline(gid: string | null): GuidelineInfo | null {
  const ctx = useContext(GuidelineContext);
  useEffect(() => {
    if (gid) ctx.show(gid);
  }, [gid]);
  return ctx.info && ctx.info.guideline.id === gid ? ctx.info : null;
}

export function titleOf(m: Record<string, string>, lang: string): string {
  return m[lang] ?? Object.values(m)[0] ?? "";
}

export function App() {
  useLang();
  const [me, setMe] = useState<Me | null>(null);
  const [ended, setEnded] = useState(false);
  useEffect(
    () =>
      onSessionEnded(() => {
        disconnect();
        setMe(null);
        setEnded(true);
      }),
    [],
  );
  if (!me) {
    return (
      <SignIn
        ended={ended}
        onSignedIn={(m) => {
          setEnded(false);
          setMe(m);
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={me}>
      <Shell
        me={me}
        onSignOut={async () => {
          disconnect();
          await signOut();
          setMe(null);
        }}
      />
    </SessionContext.Provider>
  );
}

function Shell({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  const lang = useLang();
  const route = useRoute();
  const [info, setInfo] = useState<GuidelineInfo | null>(null);
  const [gid, setGid] = useState<string | null>(null);
  const show = useCallback((g: string) => setGid(g), []);
  useEffect(() => {
    if (!gid) return;
    let live = true;
    (async () => {
      const guideline = await must(api.GET("/api/v1/guidelines/{gid}", { params: { path: { gid } } }));
      const sections = (await must(api.GET("/api/v1/guidelines/{gid}/sections", { params: { path: { gid } } }))).items;
      if (live) setInfo({ guideline, sections });
    })().catch(() => {});
    connect(gid);
    return () => {
      live = false;
    };
  }, [gid]);

  const routeGid = "gid" in route ? route.gid : gid;
  useEffect(() => {
    document.title = info ? `${titleOf(info.guideline.title, lang)} — ${t("app.name")}` : t("app.name");
  }, [info, lang]);

  return (
    <GuidelineContext.Provider value={{ info, show }}>
      <a class="skip" href="#main">
        {t("app.skip")}
      </a>
      <header class="topbar">
        <div class="brand">
          <Link href="/">{t("app.name")}</Link>
        </div>
        {routeGid && (
          <nav aria-label={t("nav.main")} class="mainnav">
            <NavLink route={{ name: "overview", gid: routeGid }} current={route} label="nav.overview" />
            <NavLink route={{ name: "matrix", gid: routeGid }} current={route} label="nav.matrix" />
            <NavLink route={{ name: "drafts", gid: routeGid }} current={route} label="nav.drafts" />
            <NavLink route={{ name: "agenda", gid: routeGid }} current={route} label="nav.agenda" />
          </nav>
        )}
        <div class="tools">
          {gid && <LiveIndicator />}
          <LangSelect id="ui-lang" />
          <span class="who" data-testid="who">
            <span class="who-name">{me.name}</span>
            <span class="who-role">
              {me.country ? `${countryName(me.country)} · ` : ""}
              {me.head_of_delegation ? t("role.head") : me.alternate ? t("role.alternate") : t(`role.${me.role}` as Key)}
            </span>
          </span>
          <button type="button" class="btn-secondary" onClick={onSignOut} data-testid="sign-out">
            {t("app.signout")}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Screen route={route} />
      </main>
    </GuidelineContext.Provider>
  );
}

function NavLink({ route, current, label }: { route: Route; current: Route; label: Key }) {
  const here = current.name === route.name || (route.name === "drafts" && current.name === "draft");
  return (
    <Link href={href(route)} aria-current={here ? "page" : undefined}>
      {t(label)}
    </Link>
  );
}

export function LangSelect({ id }: { id: string }) {
  const lang = useLang();
  return (
    <span class="langselect">
      <label for={id} class="sr-only">
        {t("app.language")}
      </label>
      <select id={id} value={lang} onChange={(e) => setLang((e.currentTarget as HTMLSelectElement).value as Lang)}>
        <option value="en" lang="en">
          English
        </option>
        <option value="es" lang="es">
          Español
        </option>
      </select>
    </span>
  );
}

function LiveIndicator() {
  const s = useLiveState();
  const label = t(`live.${s}` as Key);
  return (
    <span class={`live live-${s}`} role="status" aria-label={t("live.label", { state: label })} data-testid="live" data-state={s}>
      <span class="dot" aria-hidden="true" />
      {label}
    </span>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case "home":
      return <Home />;
    case "overview":
      return <OverviewScreen key={route.gid} gid={route.gid} />;
    case "matrix":
      return <MatrixScreen key={route.gid} gid={route.gid} />;
    case "drafts":
      return <DraftsScreen key={route.gid} gid={route.gid} />;
    case "agenda":
      return <AgendaScreen key={route.gid} gid={route.gid} />;
    case "draft":
      return <DraftScreen key={`${route.gid}/${route.n}`} gid={route.gid} n={route.n} />;
    case "clause":
      return <ClauseScreen key={route.cid} cid={route.cid} />;
    case "notfound":
      return (
        <section>
          <h1>{t("app.notfound")}</h1>
          <Link href="/">{t("app.home")}</Link>
        </section>
      );
  }
}

/** Home lists the guidelines; with one, it opens it. */
function Home() {
  const lang = useLang();
  const [items, setItems] = useState<Guideline[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    must(api.GET("/api/v1/guidelines")).then((p) => {
      if (p.items.length === 1) navigate(href({ name: "overview", gid: p.items[0]!.id }), true);
      else setItems(p.items);
    }, setError);
  }, []);
  if (error) return <ErrorBox error={error} />;
  if (!items) return <Loading />;
  return (
    <section>
      <h1>{t("guidelines.title")}</h1>
      {items.length === 0 ? (
        <p>{t("guidelines.none")}</p>
      ) : (
        <ul class="cards">
          {items.map((g) => (
            <li key={g.id}>
              <Link href={href({ name: "overview", gid: g.id })}>{titleOf(g.title, lang)}</Link>{" "}
              <span class="muted">{t(`gstatus.${g.status}` as Key)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
