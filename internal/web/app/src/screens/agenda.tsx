// The meeting's agenda beyond the text (docs/agenda.md): national inputs and
// their regional synthesis (Session 2), the implementation plan (Session 4;
// its actions are negotiated on their clause pages like any clause) and the
// follow-up: progress per action and party, reported by the countries.
import { useMemo, useRef, useState } from "preact/hooks";
import { api, download, must, type Schemas } from "../api/client";
import { titleOf, useGuideline } from "../app";
import { ErrorBox, Field, Link, Loading, Notice, StatusBadge, allPages, useResource } from "../components/ui";
import { debounce, loadClauses } from "../data";
import { countryName, languageName, t, useLang, type Key } from "../i18n";
import { useLive } from "../live";
import { href } from "../router";
import { isFacilitator, useMe } from "../session";

const areas = ["prevention", "protection", "consular_assistance"] as const;
const kinds = ["advance", "challenge", "good_practice"] as const;
const statuses = ["not_started", "in_progress", "done", "blocked"] as const;

function label(prefix: string, v: string): string {
  const key = `${prefix}.${v}` as Key;
  const s = t(key);
  return s === key ? v : s;
}

function party(p: string): string {
  if (p === "IOM") return "IOM";
  if (p === "regional") return t("agenda.regional");
  return countryName(p);
}

export function AgendaScreen({ gid }: { gid: string }) {
  const info = useGuideline(gid);
  return (
    <section aria-labelledby="agenda-title">
      <h1 id="agenda-title">{t("agenda.title")}</h1>
      <p class="muted">{t("agenda.intro")}</p>
      <Inputs gid={gid} languages={info?.guideline.languages ?? ["en", "es"]} />
      <Plan gid={gid} />
      <Progress gid={gid} slug={info?.guideline.slug ?? "guideline"} />
    </section>
  );
}

function Inputs({ gid, languages }: { gid: string; languages: string[] }) {
  const lang = useLang();
  const me = useMe();
  const res = useResource(async () => {
    const [synthesis, unaddressed] = await Promise.all([
      must(api.GET("/api/v1/guidelines/{gid}/synthesis", { params: { path: { gid } } })),
      allPages((cursor) =>
        must(api.GET("/api/v1/guidelines/{gid}/inputs", { params: { path: { gid }, query: { kind: "challenge", unaddressed: "true", limit: 200, cursor } } })),
      ),
    ]);
    return { synthesis, unaddressed };
  }, [gid]);
  const reload = useMemo(() => debounce(res.reload), [res.reload]);
  useLive((e) => {
    if (e.type === "input.created" || e.type === "input.changed" || e.type === "clause.sources_changed") reload();
  }, [reload]);
  const d = res.data;
  return (
    <section class="panel" aria-labelledby="inputs-title" data-testid="inputs">
      <h2 id="inputs-title">{t("agenda.inputs")}</h2>
      <ErrorBox error={res.error} retry={res.reload} />
      {!d ? (
        !res.error && <Loading />
      ) : (
        <>
          <h3>{t("agenda.unaddressed")}</h3>
          {d.unaddressed.length === 0 ? (
            <p class="muted">{t("agenda.unaddressed_none")}</p>
          ) : (
            <ul data-testid="unaddressed">
              {d.unaddressed.map((i) => (
                <li key={i.id}>
                  <strong>{countryName(i.country)}</strong> — {label("area", i.area)}: <span lang={i.text[lang] ? lang : undefined}>{titleOf(i.text, lang)}</span>
                </li>
              ))}
            </ul>
          )}
          <h3>{t("agenda.synthesis")}</h3>
          {d.synthesis.groups.map((g) => (
            <div key={`${g.area}/${g.kind}`} class="synthesis-group">
              <h4>
                {label("area", g.area)} · {label("kind", g.kind)}
              </h4>
              <p class="muted small">{t("agenda.raised_by", { countries: g.countries.map(countryName).join(", ") })}</p>
              <ul>
                {g.inputs.map((i) => (
                  <li key={i.id}>
                    <strong>{countryName(i.country)}:</strong> {titleOf(i.text, lang)}{" "}
                    <span class="muted small">
                      {i.source && `${i.source} · `}
                      {t("agenda.cited_by", { count: i.cited_by.length })}
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </>
      )}
      {me.role === "delegate" && me.country && <InputForm gid={gid} country={me.country} languages={languages} onAdded={res.reload} />}
    </section>
  );
}

function InputForm({ gid, country, languages, onAdded }: { gid: string; country: string; languages: string[]; onAdded: () => void }) {
  const [area, setArea] = useState<string>("protection");
  const [kind, setKind] = useState<(typeof kinds)[number]>("challenge");
  const [text, setText] = useState<Record<string, string>>({});
  const [source, setSource] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const key = useRef(crypto.randomUUID());
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await must(api.POST("/api/v1/guidelines/{gid}/inputs", {
        params: { path: { gid }, header: { "Idempotency-Key": key.current } },
        body: source ? { area, kind, text, source } : { area, kind, text },
      }));
      key.current = crypto.randomUUID();
      setText({});
      setSource("");
      setDone(true);
      onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <details class="add-input">
      <summary>{t("agenda.add_input", { country: countryName(country) })}</summary>
      <form onSubmit={submit} data-testid="input-form">
        <div class="inline-fields">
          <Field id="input-area" label={t("agenda.area")}>
            <select id="input-area" value={area} onChange={(e) => setArea((e.currentTarget as HTMLSelectElement).value)}>
              {areas.map((a) => (
                <option key={a} value={a}>
                  {label("area", a)}
                </option>
              ))}
            </select>
          </Field>
          <Field id="input-kind" label={t("agenda.kind")}>
            <select id="input-kind" value={kind} onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value as (typeof kinds)[number])}>
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {label("kind", k)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <div class="columns">
          {languages.map((l) => (
            <Field key={l} id={`input-text-${l}`} label={t("agenda.text", { lang: languageName(l) })}>
              <textarea id={`input-text-${l}`} lang={l} rows={3} required value={text[l] ?? ""}
                onInput={(e) => setText({ ...text, [l]: (e.currentTarget as HTMLTextAreaElement).value })} />
            </Field>
          ))}
        </div>
        <Field id="input-source" label={t("agenda.source")}>
          <input id="input-source" type="text" value={source} onInput={(e) => setSource((e.currentTarget as HTMLInputElement).value)} />
        </Field>
        <ErrorBox error={error} />
        {done && <Notice>{t("agenda.input_added")}</Notice>}
        <button type="submit" class="btn-primary" disabled={busy}>
          {t("agenda.save_input")}
        </button>
      </form>
    </details>
  );
}

function Plan({ gid }: { gid: string }) {
  const lang = useLang();
  const res = useResource(async () => {
    const [actions, clauses] = await Promise.all([
      allPages((cursor) => must(api.GET("/api/v1/guidelines/{gid}/actions", { params: { path: { gid }, query: { limit: 200, cursor } } }))),
      loadClauses(gid),
    ]);
    return { actions, numbers: new Map(clauses.map((c) => [c.id, c.number])) };
  }, [gid]);
  const reload = useMemo(() => debounce(res.reload), [res.reload]);
  useLive((e) => {
    if (e.type === "action.changed" || e.type === "clause.status_changed" || e.type === "clause.text_changed") reload();
  }, [reload]);
  return (
    <section class="panel" aria-labelledby="plan-title" data-testid="plan">
      <h2 id="plan-title">{t("agenda.plan")}</h2>
      <ErrorBox error={res.error} retry={res.reload} />
      {!res.data ? (
        !res.error && <Loading />
      ) : res.data.actions.length === 0 ? (
        <p>{t("agenda.plan_none")}</p>
      ) : (
        <ul class="clauses">
          {res.data.actions.map((a) => (
            <li key={a.clause.id} class="clause-row">
              <div class="clause-row-head">
                <Link href={href({ name: "clause", cid: a.clause.id })} class="clause-link">
                  {t("agenda.action", { number: a.clause.number })}
                </Link>
                <StatusBadge status={a.clause.status} />
              </div>
              <p class="excerpt">{titleOf(a.clause.text, lang)}</p>
              <dl class="action-details">
                <dt>{t("agenda.responsible")}</dt>
                <dd>{a.responsible.map(party).join(", ")}</dd>
                <dt>{t("agenda.timeframe")}</dt>
                <dd>{a.timeframe}</dd>
                <dt>{t("agenda.indicators")}</dt>
                <dd>{titleOf(a.indicators, lang)}</dd>
                <dt>{t("agenda.verification")}</dt>
                <dd>{titleOf(a.means_of_verification, lang)}</dd>
              </dl>
              {a.clauses.length > 0 && <p class="meta">{t("agenda.carries_out", { numbers: a.clauses.map((id) => res.data?.numbers.get(id) ?? id).join(", ") })}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

type Regional = Schemas["RegionalProgress"];

function Progress({ gid, slug }: { gid: string; slug: string }) {
  const lang = useLang();
  const me = useMe();
  const res = useResource(async () => {
    const rows: Regional["actions"] = [];
    let parties: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 50; i++) {
      const p = (await must(api.GET("/api/v1/guidelines/{gid}/progress", { params: { path: { gid }, query: { limit: 200, cursor } } }))) as Regional;
      parties = p.parties;
      rows.push(...p.actions);
      if (!p.next_cursor) break;
      cursor = p.next_cursor;
    }
    return { parties, rows };
  }, [gid]);
  useLive((e) => {
    if (e.type === "progress.reported" || e.type === "guideline.adopted") res.reload();
  }, [res.reload]);
  const [error, setError] = useState<unknown>(null);
  const d = res.data;
  const mine = (r: Regional["actions"][number]): string | null => {
    if (isFacilitator(me) && r.responsible.includes("IOM")) return "IOM";
    if (me.role === "delegate" && me.country && (r.responsible.includes(me.country) || r.responsible.includes("regional"))) return me.country;
    return null;
  };
  return (
    <section class="panel" aria-labelledby="progress-title" data-testid="progress">
      <h2 id="progress-title">{t("agenda.progress")}</h2>
      <ErrorBox error={res.error ?? error} retry={res.reload} />
      {!d ? (
        !res.error && <Loading />
      ) : d.rows.length === 0 ? (
        <p>{t("agenda.progress_none")}</p>
      ) : (
        <>
          <button type="button" class="btn-secondary" onClick={() => {
            setError(null);
            download(`/api/v1/guidelines/${encodeURIComponent(gid)}/progress?format=csv`, `${slug}-progress.csv`).catch(setError);
          }}>
            {t("agenda.csv")}
          </button>
          <div class="matrix-wrap" tabIndex={0} role="region" aria-label={t("agenda.table")}>
            <table class="matrix" data-testid="progress-matrix">
              <thead>
                <tr>
                  <th scope="col">{t("agenda.report_action")}</th>
                  {d.parties.map((p) => (
                    <th scope="col" key={p}>
                      <abbr title={party(p)}>{p === "regional" ? "REG" : p}</abbr>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {d.rows.map((r) => (
                  <tr key={r.action_id}>
                    <th scope="row" title={titleOf(r.text, lang)}>
                      <Link href={href({ name: "clause", cid: r.action_id })}>{r.number}</Link>
                    </th>
                    {d.parties.map((p) => {
                      const cell = r.progress[p];
                      const responsible = r.responsible.includes(p) || r.responsible.includes("regional");
                      const text = cell ? label("progress", cell.status) : responsible ? t("progress.none") : "";
                      return (
                        <td key={p} class={cell ? `cell progress-${cell.status}` : "cell"} title={cell ? `${party(p)}: ${text}${cell.note ? ` — ${cell.note}` : ""} (${cell.date})` : text}>
                          {cell ? text : responsible ? "·" : ""}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {d.rows.some((r) => mine(r)) && <ReportForm rows={d.rows.filter((r) => mine(r))} party={mine} onDone={res.reload} />}
        </>
      )}
    </section>
  );
}

function ReportForm({ rows, party: partyOf, onDone }: { rows: Regional["actions"]; party: (r: Regional["actions"][number]) => string | null; onDone: () => void }) {
  const lang = useLang();
  const today = new Date().toISOString().slice(0, 10);
  const [action, setAction] = useState(rows[0]?.action_id ?? "");
  const [status, setStatus] = useState<(typeof statuses)[number]>("in_progress");
  const [date, setDate] = useState(today);
  const [note, setNote] = useState("");
  const [evidence, setEvidence] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const key = useRef(crypto.randomUUID());
  const row = rows.find((r) => r.action_id === action);
  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    setDone(false);
    try {
      await must(api.POST("/api/v1/clauses/{cid}/progress", {
        params: { path: { cid: action }, header: { "Idempotency-Key": key.current } },
        body: { status, date, ...(note ? { note } : {}), ...(evidence ? { evidence_url: evidence } : {}) },
      }));
      key.current = crypto.randomUUID();
      setNote("");
      setEvidence("");
      setDone(true);
      onDone();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form class="report-form" onSubmit={submit} data-testid="report-form">
      <h3>
        {t("agenda.report")}
        {row && partyOf(row) ? ` — ${party(partyOf(row)!)}` : ""}
      </h3>
      <div class="inline-fields">
        <Field id="report-action" label={t("agenda.report_action")}>
          <select id="report-action" value={action} onChange={(e) => setAction((e.currentTarget as HTMLSelectElement).value)}>
            {rows.map((r) => (
              <option key={r.action_id} value={r.action_id}>
                {r.number} — {titleOf(r.text, lang).slice(0, 60)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="report-status" label={t("agenda.report_status")}>
          <select id="report-status" value={status} onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value as (typeof statuses)[number])}>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {label("progress", s)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="report-date" label={t("agenda.report_date")}>
          <input id="report-date" type="date" required value={date} onInput={(e) => setDate((e.currentTarget as HTMLInputElement).value)} />
        </Field>
      </div>
      <Field id="report-note" label={t("agenda.report_note")}>
        <textarea id="report-note" rows={2} required={status === "blocked"} value={note} onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)} />
      </Field>
      <Field id="report-evidence" label={t("agenda.report_evidence")}>
        <input id="report-evidence" type="url" value={evidence} onInput={(e) => setEvidence((e.currentTarget as HTMLInputElement).value)} />
      </Field>
      <ErrorBox error={error} />
      {done && <Notice>{t("agenda.reported")}</Notice>}
      <button type="submit" class="btn-primary">
        {t("agenda.report_submit")}
      </button>
    </form>
  );
}
