import { useMemo, useState } from "preact/hooks";
import type { Clause } from "../api/client";
import { titleOf, useGuideline } from "../app";
import { ErrorBox, Link, Loading, StatusBadge, useResource } from "../components/ui";
import { debounce, loadClauses, loadCommentCounts, loadMatrix, takesPositions, type MatrixAll } from "../data";
import { countryName, t, useLang, type Key } from "../i18n";
import { useLive } from "../live";
import { href } from "../router";
import { useMe } from "../session";

type Filter = "all" | "needs" | "contested" | "amendments";

export function OverviewScreen({ gid }: { gid: string }) {
  const lang = useLang();
  const me = useMe();
  const info = useGuideline(gid);
  const [filter, setFilter] = useState<Filter>("all");
  const res = useResource(async () => {
    const [clauses, matrix, counts] = await Promise.all([loadClauses(gid), loadMatrix(gid), loadCommentCounts(gid)]);
    const amendmentsBy = new Map<string, number>();
    for (const [id, c] of counts) if (c.amendments > 0) amendmentsBy.set(id, c.amendments);
    return { clauses, matrix, counts, amendmentsBy };
  }, [gid]);
  const reload = useMemo(() => debounce(res.reload), [res.reload]);
  useLive(() => reload(), [reload]);

  const d = res.data;
  const myStance = (c: Clause, m: MatrixAll | undefined): string | null => {
    if (!me.country || !m) return null;
    const row = m.rows.find((r) => r.id === c.id);
    return row?.positions[me.country] ?? null;
  };
  const visible = (c: Clause): boolean => {
    if (!d) return false;
    switch (filter) {
      case "all":
        return true;
      case "needs": {
        const s = myStance(c, d.matrix);
        return takesPositions(c.status) && (s === "pending" || s === "stale");
      }
      case "contested":
        return c.status === "contested";
      case "amendments":
        return (d.amendmentsBy.get(c.id) ?? 0) > 0;
    }
  };
  const filters: Filter[] = me.country ? ["all", "needs", "contested", "amendments"] : ["all", "contested", "amendments"];

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{info ? titleOf(info.guideline.title, lang) : t("nav.overview")}</h1>
      {info && (
        <p class="muted">
          {t(`gstatus.${info.guideline.status}` as Key)}
          {d && <> · {t("overview.agreed_count", { agreed: d.clauses.filter((c) => c.status === "agreed").length, total: d.clauses.length })}</>}
        </p>
      )}
      <fieldset class="filters">
        <legend>{t("overview.filter")}</legend>
        {filters.map((f) => (
          <label key={f} class={filter === f ? "pill pill-on" : "pill"}>
            <input type="radio" name="filter" value={f} checked={filter === f} onChange={() => setFilter(f)} data-testid={`filter-${f}`} />
            {t(`overview.filter.${f}` as Key)}
          </label>
        ))}
      </fieldset>
      <ErrorBox error={res.error} retry={res.reload} />
      {!d || !info ? (
        !res.error && <Loading />
      ) : (
        <>
          {info.sections.map((s) => {
            const cs = d.clauses.filter((c) => c.section_id === s.id && visible(c));
            if (cs.length === 0 && filter !== "all") return null;
            return (
              <section key={s.id} class="section" aria-labelledby={`sec-${s.id}`}>
                <h2 id={`sec-${s.id}`}>{titleOf(s.title, lang)}</h2>
                <ul class="clauses">
                  {cs.map((c) => {
                    const stance = myStance(c, d.matrix);
                    const count = d.counts.get(c.id);
                    const amend = d.amendmentsBy.get(c.id) ?? 0;
                    return (
                      <li key={c.id} class="clause-row" data-testid={`clause-${c.number}`}>
                        <div class="clause-row-head">
                          <Link href={href({ name: "clause", cid: c.id })} class="clause-link">
                            {t("overview.clause", { number: c.number })}
                          </Link>
                          <StatusBadge status={c.status} />
                          {me.country && stance && <MyStance stance={stance} status={c.status} country={me.country} />}
                        </div>
                        <p class="excerpt" lang={c.text[lang] ? lang : Object.keys(c.text)[0]}>
                          {titleOf(c.text, lang)}
                        </p>
                        <p class="meta">
                          {t("overview.comments", { count: count?.total ?? 0 })}
                          {count && count.open > 0 && <> · {t("overview.open_comments", { count: count.open })}</>}
                          {amend > 0 && <> · {t("overview.amendments", { count: amend })}</>}
                        </p>
                      </li>
                    );
                  })}
                </ul>
              </section>
            );
          })}
          {d.clauses.filter(visible).length === 0 && <p>{t("overview.none")}</p>}
        </>
      )}
    </section>
  );
}

function MyStance({ stance, status, country }: { stance: string; status: string; country: string }) {
  if (takesPositions(status) && stance === "pending") return <span class="badge mine-needs">{t("mine.needs")}</span>;
  if (takesPositions(status) && stance === "stale") return <span class="badge mine-stale">{t("mine.stale")}</span>;
  if (stance === "pending" || stance === "stale") return null;
  return <span class={`badge stance-${stance}`}>{t("mine.label", { country: countryName(country), stance: t(`stance.${stance}` as Key) })}</span>;
}
