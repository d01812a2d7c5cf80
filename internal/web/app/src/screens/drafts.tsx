import { useRef, useState } from "preact/hooks";
import { ApiError, api, download, must, type Schemas } from "../api/client";
import { titleOf, useGuideline } from "../app";
import { Diff, ErrorBox, Field, Link, Loading, Notice, StatusBadge, allPages, useResource } from "../components/ui";
import { changes } from "../diff";
import { countryName, formatDate, languageName, t, useLang, type Key } from "../i18n";
import { useLive } from "../live";
import { href } from "../router";
import { isFacilitator, useMe } from "../session";

type Format = "json" | "markdown" | "html" | "akn";
const ext: Record<Format, string> = { json: "json", markdown: "md", html: "html", akn: "xml" };

export function DraftsScreen({ gid }: { gid: string }) {
  const me = useMe();
  const info = useGuideline(gid);
  const drafts = useResource(
    () => allPages((cursor) => must(api.GET("/api/v1/guidelines/{gid}/drafts", { params: { path: { gid }, query: { limit: 200, cursor } } }))),
    [gid],
  );
  useLive((e) => {
    if (e.type === "draft.created" || e.type === "guideline.adopted") drafts.reload();
  }, [drafts.reload]);
  const [label, setLabel] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const key = useRef(crypto.randomUUID());

  async function take(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await must(api.POST("/api/v1/guidelines/{gid}/drafts", {
        params: { path: { gid }, header: { "Idempotency-Key": key.current } },
        body: { label: label || t("drafts.label_default") },
      }));
      key.current = crypto.randomUUID();
      setLabel("");
      drafts.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="drafts-title">
      <h1 id="drafts-title">{t("drafts.title")}</h1>
      {isFacilitator(me) && (
        <form class="panel inline-form" onSubmit={take} data-testid="take-draft">
          <h2>{t("drafts.take")}</h2>
          <Field id="draft-label" label={t("drafts.label")}>
            <input id="draft-label" type="text" value={label} placeholder={t("drafts.label_default")} onInput={(e) => setLabel((e.currentTarget as HTMLInputElement).value)} />
          </Field>
          <ErrorBox error={error} />
          <button type="submit" class="btn-primary" disabled={busy} data-testid="create-draft">
            {t("drafts.create")}
          </button>
        </form>
      )}
      <ErrorBox error={drafts.error} retry={drafts.reload} />
      {!drafts.data ? (
        !drafts.error && <Loading />
      ) : drafts.data.length === 0 ? (
        <p>{t("drafts.none")}</p>
      ) : (
        <ul class="cards" data-testid="drafts">
          {[...drafts.data].sort((a, b) => b.number - a.number).map((d) => (
            <li key={d.number}>
              <Link href={href({ name: "draft", gid, n: d.number })}>{t("drafts.draft", { n: d.number })}</Link> — {d.label}{" "}
              <span class="muted small">{formatDate(d.created_at)}</span>
            </li>
          ))}
        </ul>
      )}
      {info && <Approved gid={gid} languages={info.guideline.languages} slug={info.guideline.slug} />}
    </section>
  );
}

function Approved({ gid, languages, slug }: { gid: string; languages: string[]; slug: string }) {
  const res = useResource(async () => {
    try {
      return (await must(api.GET("/api/v1/guidelines/{gid}/approved", { params: { path: { gid } } }))) as Schemas["ApprovedGuideline"];
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }, [gid]);
  useLive((e) => {
    if (e.type === "guideline.adopted") res.reload();
  }, [res.reload]);
  const a = res.data;
  return (
    <section class="panel" aria-labelledby="approved-title" data-testid="approved">
      <h2 id="approved-title">{t("approved.title")}</h2>
      <ErrorBox error={res.error} retry={res.reload} />
      {a === null ? (
        <p>{t("approved.none")}</p>
      ) : a === undefined ? null : (
        <>
          <p>{t("approved.version", { version: a.version, date: formatDate(a.adopted_at) })}</p>
          <Downloads base={`/api/v1/guidelines/${encodeURIComponent(gid)}/approved/${a.version}`} name={`${slug}-approved-v${a.version}`} languages={languages} />
        </>
      )}
    </section>
  );
}

function Downloads({ base, name, languages, view }: { base: string; name: string; languages: string[]; view?: string }) {
  const [error, setError] = useState<unknown>(null);
  const get = (format: Format, lang?: string) => {
    setError(null);
    const q = new URLSearchParams({ format });
    if (lang) q.set("lang", lang);
    if (view) q.set("view", view);
    download(`${base}?${q}`, `${name}${lang ? `-${lang}` : ""}.${ext[format]}`).catch(setError);
  };
  return (
    <div class="downloads" role="group" aria-label={t("drafts.download")}>
      <span>{t("drafts.download")}:</span>
      {(["json", "markdown", "html"] as const).map((f) => (
        <button key={f} type="button" class="btn-secondary" onClick={() => get(f)} data-testid={`download-${f}`}>
          {t(`format.${f}` as Key)}
        </button>
      ))}
      {languages.map((l) => (
        <button key={l} type="button" class="btn-secondary" onClick={() => get("akn", l)} data-testid={`download-akn-${l}`}>
          {t("format.akn", { lang: l.toUpperCase() })}
        </button>
      ))}
      <ErrorBox error={error} />
    </div>
  );
}

export function DraftScreen({ gid, n }: { gid: string; n: number }) {
  const lang = useLang();
  const me = useMe();
  const info = useGuideline(gid);
  const [view, setView] = useState<"as_is" | "accepted" | "rejected">("as_is");
  const doc = useResource(
    async () => (await must(api.GET("/api/v1/guidelines/{gid}/drafts/{n}", { params: { path: { gid, n }, query: { view } } }))) as Schemas["DraftDocument"],
    [gid, n, view],
  );
  const [show, setShow] = useState<string>("both");
  const [against, setAgainst] = useState<number>(Math.max(1, n - 1));
  const [diff, setDiff] = useState<Schemas["DraftDiff"] | null>(null);
  const [diffError, setDiffError] = useState<unknown>(null);
  const [adopting, setAdopting] = useState(false);
  const [adoptError, setAdoptError] = useState<unknown>(null);
  const [adopted, setAdopted] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  if (doc.error) return <ErrorBox error={doc.error} retry={doc.reload} />;
  const d = doc.data;
  if (!d) return <Loading />;
  const langs = show === "both" ? d.languages : [show];

  async function compare(e: Event) {
    e.preventDefault();
    setDiffError(null);
    try {
      setDiff(await must(api.GET("/api/v1/guidelines/{gid}/drafts/{n}/diff", { params: { path: { gid, n }, query: { against } } })));
    } catch (err) {
      setDiffError(err);
    }
  }

  async function adopt() {
    setBusy(true);
    setAdoptError(null);
    try {
      const a = await must(api.POST("/api/v1/guidelines/{gid}/drafts/{n}/adopt", {
        params: { path: { gid, n } },
      }));
      setAdopted(a.version);
      setAdopting(false);
    } catch (err) {
      setAdoptError(err);
    } finally {
      setBusy(false);
    }
  }
  const blockers = adoptError instanceof ApiError ? adoptError.problem?.data?.blocking ?? [] : [];

  return (
    <article aria-labelledby="draft-title" data-testid="draft-page">
      <nav class="crumbs" aria-label="breadcrumb">
        <Link href={href({ name: "drafts", gid })}>{t("drafts.title")}</Link>
      </nav>
      <h1 id="draft-title">
        {t("drafts.draft", { n: d.number })} — {d.label}
      </h1>
      <p class="muted">{formatDate(d.created_at)} · {t("drafts.bracket_note")}</p>

      <div class="panel toolbar">
        <Field id="draft-lang" label={t("drafts.language")}>
          <select id="draft-lang" value={show} onChange={(e) => setShow((e.currentTarget as HTMLSelectElement).value)}>
            <option value="both">{t("drafts.both")}</option>
            {d.languages.map((l) => (
              <option key={l} value={l}>
                {languageName(l)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="draft-view" label={t("drafts.view")}>
          <select id="draft-view" value={view} data-testid="draft-view" onChange={(e) => setView((e.currentTarget as HTMLSelectElement).value as typeof view)}>
            {(["as_is", "accepted", "rejected"] as const).map((v) => (
              <option key={v} value={v}>
                {t(`drafts.view.${v}` as Key)}
              </option>
            ))}
          </select>
        </Field>
        <Downloads base={`/api/v1/guidelines/${encodeURIComponent(gid)}/drafts/${n}`} view={view === "as_is" ? undefined : view} name={`${info?.guideline.slug ?? "draft"}-draft-${n}`} languages={d.languages} />
        {isFacilitator(me) && (
          <div class="adopt">
            {adopted !== null ? (
              <Notice>{t("drafts.adopted", { version: adopted })}</Notice>
            ) : !adopting ? (
              <button type="button" class="btn-primary" onClick={() => setAdopting(true)} data-testid="adopt">
                {t("drafts.adopt")}
              </button>
            ) : (
              <div class="confirm" role="group" aria-label={t("drafts.adopt")}>
                <p>{t("drafts.adopt_confirm", { n })}</p>
                <button type="button" class="btn-primary" disabled={busy} onClick={() => void adopt()} data-testid="confirm-adopt">
                  {t("drafts.adopt")}
                </button>
                <button type="button" class="btn-secondary" onClick={() => setAdopting(false)}>
                  {t("comments.cancel")}
                </button>
              </div>
            )}
            {adoptError !== null && blockers.length > 0 ? (
              <div class="alert alert-error" role="alert" data-testid="adopt-blocked">
                <p>{t("drafts.blocked")}</p>
                <ul>
                  {blockers.map((b) => (
                    <li key={b.clause_id}>
                      <Link href={href({ name: "clause", cid: b.clause_id })}>{t("clause.title", { number: b.number })}</Link> <StatusBadge status={b.status} /> {b.reason}
                    </li>
                  ))}
                </ul>
              </div>
            ) : (
              <ErrorBox error={adoptError} />
            )}
          </div>
        )}
      </div>

      <div class="document" data-testid="draft-document">
        <h2 class="doc-title">{titleOf(d.title, lang)}</h2>
        {d.sections.map((s) => (
          <section key={s.id}>
            <h3>{titleOf(s.title, lang)}</h3>
            {s.clauses.map((c) => (
              <div key={c.id} class={c.bracketed ? "doc-clause bracketed" : "doc-clause"} data-bracketed={c.bracketed}>
                <div class="doc-num">
                  <Link href={href({ name: "clause", cid: c.id })}>{c.number}</Link>
                </div>
                <div class={langs.length > 1 ? "columns" : ""}>
                  {langs.map((l) => (
                    <p key={l} lang={l}>
                      {c.bracketed ? `[${c.text[l] ?? ""}]` : c.text[l]}
                    </p>
                  ))}
                </div>
                {c.reservations.map((r) => (
                  <p key={r.country} class="footnote">
                    {t("drafts.reservation", { country: countryName(r.country), text: r.text })}
                  </p>
                ))}
              </div>
            ))}
          </section>
        ))}
      </div>

      {d.number > 1 && (
        <section class="panel" aria-labelledby="draft-diff-title">
          <h2 id="draft-diff-title">{t("drafts.compare")}</h2>
          <form class="inline-form" onSubmit={compare}>
            <Field id="draft-against" label={t("drafts.compare")}>
              <select id="draft-against" value={against} onChange={(e) => setAgainst(Number((e.currentTarget as HTMLSelectElement).value))}>
                {Array.from({ length: d.number - 1 }, (_, i) => i + 1).map((k) => (
                  <option key={k} value={k}>
                    {t("drafts.draft", { n: k })}
                  </option>
                ))}
              </select>
            </Field>
            <button type="submit" class="btn-secondary" data-testid="compare-drafts">
              {t("drafts.compare_go")}
            </button>
          </form>
          <ErrorBox error={diffError} />
          {diff && <DraftDiffView diff={diff} langs={langs} />}
        </section>
      )}
    </article>
  );
}

function DraftDiffView({ diff, langs }: { diff: Schemas["DraftDiff"]; langs: string[] }) {
  const groups = [
    ["drafts.added", diff.added],
    ["drafts.removed", diff.removed],
    ["drafts.moved", diff.moved],
    ["drafts.changed", diff.changed],
  ] as const;
  if (groups.every(([, g]) => g.length === 0)) return <p data-testid="draft-diff">{t("drafts.no_differences")}</p>;
  return (
    <div data-testid="draft-diff">
      {groups.map(([label, items]) =>
        items.length === 0 ? null : (
          <section key={label}>
            <h3>{t(label)}</h3>
            <ul>
              {items.map((c) => (
                <li key={c.clause_id}>
                  <strong>{c.to_number ?? c.from_number}</strong>
                  {c.from_number && c.to_number && c.from_number !== c.to_number && <span class="muted"> ({c.from_number} → {c.to_number})</span>}
                  {langs.map((l) =>
                    c.diff?.[l] && changes(c.diff[l]!) ? <Diff key={l} ops={c.diff[l]!} lang={l} /> : c.text?.[l] ? <p key={l} lang={l}>{c.text[l]}</p> : null,
                  )}
                </li>
              ))}
            </ul>
          </section>
        ),
      )}
    </div>
  );
}
