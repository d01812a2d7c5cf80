import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError, api, must, type Clause, type ClausePage, type Comment, type Me, type Position, type Schemas } from "../api/client";
import { titleOf, useGuideline } from "../app";
import { Diff, ErrorBox, Field, FormActions, Link, Loading, Notice, StatusBadge, allPages, useResource, useRun } from "../components/ui";
import { debounce, takesPositions } from "../data";
import { changes, wordDiff } from "../diff";
import { countryName, formatDate, languageName, t, useLang, type Key } from "../i18n";
import { useLive } from "../live";
import { href } from "../router";
import { canComment, isFacilitator, speaksFor, useMe } from "../session";

type Text = Record<string, string>;

/** EditorSeed opens the facilitator's editor with a starting text (an amendment to incorporate). */
interface EditorSeed {
  text: Text;
  incorporates: string[];
}

export function ClauseScreen({ cid }: { cid: string }) {
  const lang = useLang();
  const me = useMe();
  const res = useResource(async () => {
    const [page, comments] = await Promise.all([
      must(api.GET("/api/v1/clauses/{cid}", { params: { path: { cid }, query: { include: ["section", "positions", "versions"] } } })),
      allPages((cursor) => must(api.GET("/api/v1/clauses/{cid}/comments", { params: { path: { cid }, query: { limit: 200, cursor } } }))),
    ]);
    return { page, comments };
  }, [cid]);
  const info = useGuideline(res.data?.page.guideline_id ?? null);
  const reload = useMemo(() => debounce(res.reload, 150), [res.reload]);
  useLive(
    (e) => {
      const data = e.data as { clause_id?: string };
      if (data.clause_id === cid || e.type === "draft.created" || e.type === "guideline.adopted") reload();
    },
    [cid, reload],
  );
  const [quote, setQuote] = useState<string | null>(null);
  const [seed, setSeed] = useState<EditorSeed | null>(null);
  const commentForm = useRef<HTMLTextAreaElement>(null);
  const firstVersion = useRef<number | null>(null);

  if (res.error && !res.data) return <ErrorBox error={res.error} retry={res.reload} />;
  if (!res.data) return <Loading />;
  const { page, comments } = res.data;
  if (firstVersion.current === null) firstVersion.current = page.version;
  const langs = info?.guideline.languages ?? Object.keys(page.text);

  return (
    <article class="clause-page" aria-labelledby="clause-title" data-testid="clause-page" data-version={page.version} data-status={page.status}>
      <nav class="crumbs" aria-label="breadcrumb">
        {info && <Link href={href({ name: "overview", gid: page.guideline_id })}>{titleOf(info.guideline.title, lang)}</Link>}
        {page.section && <span> › {titleOf(page.section.title, lang)}</span>}
      </nav>
      <header class="clause-head">
        <h1 id="clause-title">{t("clause.title", { number: page.number })}</h1>
        <StatusBadge status={page.status} />
        <span class="muted" data-testid="clause-version">
          {t("clause.version", { n: page.version })}
        </span>
        {page.silence_deadline && page.status === "silence" && (
          <span class="badge status-silence">{t("clause.silence_deadline", { date: formatDate(page.silence_deadline) })}</span>
        )}
      </header>
      {firstVersion.current !== page.version && <Notice>{t("clause.changed_live", { n: page.version })}</Notice>}
      <ErrorBox error={res.error} retry={res.reload} />

      <TextPanel clause={page} langs={langs} canQuote={canComment(me)} canAlign={isFacilitator(me)} onChanged={res.reload} onQuote={(q) => {
        setQuote(q);
        commentForm.current?.focus();
      }} />
      {page.alternatives.length > 0 && <Alternatives clause={page} langs={langs} me={me} onChanged={res.reload} />}

      <div class="clause-grid">
        <div class="clause-main">
          {isFacilitator(me) && (
            <FacilitatorPanel key={page.id} clause={page} langs={langs} seed={seed} clearSeed={() => setSeed(null)} onChanged={res.reload} />
          )}
          <section aria-labelledby="comments-title" class="panel">
            <h2 id="comments-title">{t("comments.title")}</h2>
            {canComment(me) && (
              <CommentForm clause={page} langs={langs} quote={quote} setQuote={setQuote} textareaRef={commentForm} onPosted={res.reload} />
            )}
            <Threads comments={comments} clause={page} langs={langs} me={me} onChanged={res.reload}
              onIncorporate={(c) => setSeed({ text: { ...(c.proposed_text ?? {}) }, incorporates: [c.id] })} />
          </section>
        </div>
        <aside class="clause-side">
          <Positions clause={page} me={me} onChanged={res.reload} />
          <Sources cid={page.id} />
          <History clause={page} langs={langs} />
        </aside>
      </div>
    </article>
  );
}

function TextPanel({ clause, langs, canQuote, canAlign, onQuote, onChanged }: {
  clause: Clause; langs: string[]; canQuote: boolean; canAlign: boolean; onQuote: (q: string) => void; onChanged: () => void;
}) {
  const [selection, setSelection] = useState<string | null>(null);
  const [alignError, setAlignError] = useState<unknown>(null);
  const align = (lang: string) => {
    setAlignError(null);
    must(api.POST("/api/v1/clauses/{cid}/alignment", { params: { path: { cid: clause.id }, header: { "If-Match": clause.etag } }, body: { lang: lang as "en" | "es" } }))
      .then(onChanged, setAlignError);
  };
  const check = () => {
    const s = window.getSelection();
    const text = s?.toString().trim() ?? "";
    if (!text || !s?.anchorNode) return setSelection(null);
    const el = s.anchorNode.parentElement?.closest("[data-clause-text]");
    setSelection(el && Object.values(clause.text).some((v) => v.includes(text)) ? text : null);
  };
  return (
    <section class="panel text-panel" aria-labelledby="text-title">
      <h2 id="text-title" class="sr-only">
        {t("clause.text")}
      </h2>
      <div class="columns" onMouseUp={check} onKeyUp={check}>
        {langs.map((l) => (
          <div class="column" key={l}>
            <h3 class="lang-head">{languageName(l)}</h3>
            {clause.alignment_pending.includes(l) && (
              <div class="alert alert-warn" data-testid={`alignment-${l}`}>
                <strong>{t("practice.alignment_pending", { lang: languageName(l) })}</strong>
                <div class="small">{t("practice.alignment_hint")}</div>
                {canAlign && (
                  <button type="button" class="btn-secondary" onClick={() => align(l)} data-testid={`align-${l}`}>
                    {t("practice.confirm_alignment", { lang: languageName(l) })}
                  </button>
                )}
              </div>
            )}
            {clause.text[l] ? (
              <p class="clause-text" lang={l} data-clause-text={l} data-testid={`text-${l}`}>
                {clause.text[l]}
              </p>
            ) : (
              <p class="muted">{t("clause.missing", { lang: languageName(l) })}</p>
            )}
          </div>
        ))}
      </div>
      <ErrorBox error={alignError} />
      {canQuote && (
        <p class="quote-bar">
          {selection ? (
            <button type="button" class="btn-secondary" data-testid="quote-selection" onClick={() => {
              onQuote(selection);
              setSelection(null);
            }}>
              {t("clause.comment_on_selection")}
            </button>
          ) : (
            <span class="muted">{t("clause.select_hint")}</span>
          )}
        </p>
      )}
    </section>
  );
}

function Alternatives({ clause, langs, me, onChanged }: { clause: ClausePage; langs: string[]; me: Me; onChanged: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const positions = clause.positions?.items ?? [];
  return (
    <section class="panel" aria-labelledby="alternatives-title" data-testid="alternatives">
      <h2 id="alternatives-title">{t("practice.alternatives")}</h2>
      <div class="alternatives">
        {clause.alternatives.map((a) => {
          const supporters = positions.filter((p) => p.current && (p.acceptable ?? []).includes(a.label)).map((p) => countryName(p.country));
          return (
            <div key={a.label} class="alternative">
              <h3>{t("practice.alternative", { label: a.label })}</h3>
              <div class="columns">
                {langs.map((l) => (
                  <p key={l} lang={l}>
                    {a.text[l]}
                  </p>
                ))}
              </div>
              <p class="muted small">{supporters.length ? t("practice.supported_by", { countries: supporters.join(", ") }) : t("practice.supported_by_none")}</p>
              {isFacilitator(me) && (
                <button type="button" class="btn-secondary" data-testid={`choose-${a.label}`}
                  onClick={() => {
                    setError(null);
                    must(api.POST("/api/v1/clauses/{cid}/alternatives/{label}/choose", {
                      params: { path: { cid: clause.id, label: a.label }, header: { "If-Match": clause.etag } },
                    })).then(onChanged, setError);
                  }}>
                  {t("practice.choose", { label: a.label })}
                </button>
              )}
            </div>
          );
        })}
      </div>
      <ErrorBox error={error} />
    </section>
  );
}

// ---------------------------------------------------------------- positions

type Stance = Schemas["Stance"];
const stanceList: Stance[] = ["agree", "agree_with_reservation", "abstain", "object"];

function Positions({ clause, me, onChanged }: { clause: ClausePage; me: Me; onChanged: () => void }) {
  const items = clause.positions?.items ?? [];
  const mine = speaksFor(me);
  return (
    <section class="panel" aria-labelledby="positions-title">
      <h2 id="positions-title">{t("positions.title")}</h2>
      <table class="positions" data-testid="positions">
        <thead>
          <tr>
            <th scope="col">{t("positions.country")}</th>
            <th scope="col">{t("positions.stance")}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <PositionRow key={p.country} p={p} />
          ))}
        </tbody>
      </table>
      {mine && me.country && takesPositions(clause.status) && (
        <PositionForm clause={clause} country={me.country} onChanged={onChanged} />
      )}
      {me.role === "delegate" && !mine && me.country && <p class="muted">{t("positions.only_head", { country: countryName(me.country) })}</p>}
    </section>
  );
}

function PositionRow({ p }: { p: Position }) {
  const stale = p.stance !== "pending" && !p.current;
  const label = p.deemed ? t("stance.deemed") : stale ? t("stance.stale") : t(`stance.${p.stance}` as Key);
  const note = p.reservation || p.reason;
  return (
    <tr data-testid={`position-${p.country}`} data-stance={stale ? "stale" : p.stance}>
      <th scope="row">{countryName(p.country)}</th>
      <td>
        <span class={`badge stance-${stale ? "stale" : p.stance}`}>{label}</span>
        {stale && p.clause_version && <span class="muted"> {t(`stance.${p.stance}` as Key)} {t("positions.on_version", { n: p.clause_version })}</span>}
        {p.ad_referendum && p.confirm_by && (
          <div>
            <span class="badge mine-stale">{t("practice.ad_referendum")}</span>{" "}
            <span class="small">{t("practice.ad_referendum_until", { date: formatDate(p.confirm_by) })}</span>
          </div>
        )}
        {(p.acceptable?.length ?? 0) > 0 && <div class="small">{p.acceptable!.map((l) => t("practice.alternative", { label: l })).join(", ")}</div>}
        {note && <div class="note">{note}</div>}
        {p.recorded_by && (
          <div class="muted small">
            {p.recorded_by.name}
            {p.recorded_at ? `, ${formatDate(p.recorded_at)}` : ""}
          </div>
        )}
      </td>
    </tr>
  );
}

function PositionForm({ clause, country, onChanged }: { clause: Clause; country: string; onChanged: () => void }) {
  const [open, setOpen] = useState(false);
  const [readVersion, setReadVersion] = useState(clause.version);
  const [stance, setStance] = useState<Stance>("agree");
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [stale, setStale] = useState<{ from: number; to: number; diff: Record<string, Schemas["DiffOps"]> } | null>(null);
  const [adRef, setAdRef] = useState(false);
  const [confirmBy, setConfirmBy] = useState(() => localInput(new Date(Date.now() + 14 * 24 * 3600 * 1000)));
  const [acceptable, setAcceptable] = useState<string[]>([]);
  const alternatives = clause.alternatives.map((a) => a.label);

  const start = () => {
    setReadVersion(clause.version); // the version the head has in front of them now
    setAdRef(false); // each position states its own condition: confirming is agreeing without it
    setOpen(true);
    setDone(false);
  };

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const v = readVersion;
    const agreeing = { ...(adRef ? { ad_referendum: true, confirm_by: new Date(confirmBy).toISOString() } : {}), ...(alternatives.length ? { acceptable } : {}) };
    const body: Schemas["PositionRequest"] =
      stance === "agree"
        ? { stance, clause_version: v, ...agreeing }
        : stance === "agree_with_reservation"
          ? { stance, clause_version: v, reservation: note, ...agreeing }
          : stance === "object"
            ? { stance, clause_version: v, reason: note }
            : note
              ? { stance, clause_version: v, reason: note }
              : { stance, clause_version: v };
    try {
      await must(api.PUT("/api/v1/clauses/{cid}/positions/{country}", { params: { path: { cid: clause.id, country } }, body }));
      setOpen(false);
      setDone(true);
      setNote("");
      onChanged();
    } catch (err) {
      if (err instanceof ApiError && err.code === "position.version_stale") {
        const to = err.problem?.data?.current_version ?? clause.version;
        try {
          const d = await must(api.GET("/api/v1/clauses/{cid}/diff", { params: { path: { cid: clause.id }, query: { from: v, to, lang: "*" } } }));
          setStale({ from: v, to, diff: "langs" in d ? d.langs : { [d.lang]: d.ops } });
        } catch (e2) {
          setError(e2);
        }
        onChanged();
      } else setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (!open) {
    return (
      <div class="position-cta">
        {done && <Notice>{t("positions.recorded")}</Notice>}
        <button type="button" class="btn-primary" onClick={start} data-testid="record-position">
          {t("positions.record")}
        </button>
      </div>
    );
  }
  const needsNote = stance !== "agree";
  return (
    <form class="position-form" onSubmit={submit} data-testid="position-form">
      <fieldset>
        <legend>{t("positions.record_for", { country: countryName(country), n: readVersion })}</legend>
        {stanceList.map((s) => (
          <label key={s} class="radio">
            <input type="radio" name="stance" value={s} checked={stance === s} onChange={() => setStance(s)} data-testid={`stance-${s}`} />
            {t(`stance.${s}` as Key)}
          </label>
        ))}
      </fieldset>
      {(stance === "agree" || stance === "agree_with_reservation") && alternatives.length > 0 && (
        <fieldset data-testid="acceptable">
          <legend>{t("practice.acceptable")}</legend>
          {alternatives.map((l) => (
            <label key={l} class="radio">
              <input type="checkbox" checked={acceptable.includes(l)} onChange={(e) => {
                const on = (e.currentTarget as HTMLInputElement).checked;
                setAcceptable(on ? [...acceptable, l] : acceptable.filter((x) => x !== l));
              }} />
              {t("practice.alternative", { label: l })}
            </label>
          ))}
        </fieldset>
      )}
      {(stance === "agree" || stance === "agree_with_reservation") && (
        <div class="field">
          <label class="radio">
            <input type="checkbox" checked={adRef} onChange={(e) => setAdRef((e.currentTarget as HTMLInputElement).checked)} data-testid="ad-referendum" />
            {t("practice.ad_referendum_check")}
          </label>
          {adRef && (
            <Field id="confirm-by" label={t("practice.confirm_by")} hint={t("practice.ad_referendum_note")}>
              <input id="confirm-by" type="datetime-local" required value={confirmBy} onInput={(e) => setConfirmBy((e.currentTarget as HTMLInputElement).value)} />
            </Field>
          )}
        </div>
      )}
      {needsNote && (
        <Field id="position-note" label={stance === "agree_with_reservation" ? t("positions.reservation") : stance === "object" ? t("positions.reason") : t("positions.reason_optional")}>
          <textarea id="position-note" rows={3} value={note} required={stance !== "abstain"} onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)} />
        </Field>
      )}
      {stale && (
        <div class="stale" role="alert" data-testid="position-stale">
          <h3>{t("positions.stale_title")}</h3>
          <p>{t("positions.stale_body", { from: stale.from, to: stale.to })}</p>
          {Object.entries(stale.diff).map(([l, ops]) => (
            <div key={l}>
              <h4 class="lang-head">{languageName(l)}</h4>
              {changes(ops) ? <Diff ops={ops} lang={l} /> : <p class="muted">{t("history.no_changes")}</p>}
            </div>
          ))}
          <button type="button" class="btn-secondary" data-testid="answer-current" onClick={() => {
            setReadVersion(stale.to);
            setStale(null);
          }}>
            {t("positions.answer_current", { n: stale.to })}
          </button>
        </div>
      )}
      <ErrorBox error={error} />
      <FormActions busy={busy || stale !== null} label={t("positions.submit")} testid="submit-position" onCancel={() => setOpen(false)} />
    </form>
  );
}

// ------------------------------------------------------------------ comments

function newKey(): string {
  return crypto.randomUUID();
}

function CommentForm({ clause, langs, quote, setQuote, textareaRef, onPosted }: {
  clause: Clause; langs: string[]; quote: string | null; setQuote: (q: string | null) => void; textareaRef: { current: HTMLTextAreaElement | null }; onPosted: () => void;
}) {
  const [kind, setKind] = useState<Schemas["CommentKind"]>("general");
  const [body, setBody] = useState("");
  const [proposed, setProposed] = useState<Text>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const key = useRef(newKey());
  useEffect(() => {
    if (kind === "amendment") setProposed((p) => (Object.keys(p).length ? p : { ...clause.text }));
  }, [kind]);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const reqBody: Schemas["CommentRequest"] =
      kind === "amendment" ? { kind, body, proposed_text: proposed, quote } : { kind, body, quote };
    try {
      await must(api.POST("/api/v1/clauses/{cid}/comments", { params: { path: { cid: clause.id }, header: { "Idempotency-Key": key.current } }, body: reqBody }));
      key.current = newKey();
      setBody("");
      setKind("general");
      setProposed({});
      setQuote(null);
      onPosted();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="comment-form" onSubmit={submit} data-testid="comment-form" aria-labelledby="new-comment-title">
      <h3 id="new-comment-title">{t("comments.new")}</h3>
      <Field id="comment-kind" label={t("comments.kind")}>
        <select id="comment-kind" value={kind} onChange={(e) => setKind((e.currentTarget as HTMLSelectElement).value as Schemas["CommentKind"])}>
          {(["general", "editorial", "substantive", "amendment"] as const).map((k) => (
            <option key={k} value={k}>
              {t(`comments.kind.${k}` as Key)}
            </option>
          ))}
        </select>
      </Field>
      <Field id="comment-quote" label={t("comments.quote")} hint={t("clause.select_hint")}>
        <div class="quote-input">
          <input id="comment-quote" type="text" value={quote ?? ""} data-testid="comment-quote" aria-describedby="comment-quote-hint"
            onInput={(e) => setQuote((e.currentTarget as HTMLInputElement).value || null)} />
          {quote && (
            <button type="button" class="btn-link" onClick={() => setQuote(null)}>
              {t("comments.remove_quote")}
            </button>
          )}
        </div>
      </Field>
      <Field id="comment-body" label={t("comments.body")}>
        <textarea id="comment-body" ref={textareaRef} rows={3} required value={body} onInput={(e) => setBody((e.currentTarget as HTMLTextAreaElement).value)} />
      </Field>
      {kind === "amendment" && (
        <div class="amendment" data-testid="amendment-editor">
          {langs.map((l) => (
            <Field key={l} id={`proposed-${l}`} label={t("comments.proposed", { lang: languageName(l) })}>
              <textarea id={`proposed-${l}`} lang={l} rows={4} value={proposed[l] ?? ""}
                onInput={(e) => setProposed({ ...proposed, [l]: (e.currentTarget as HTMLTextAreaElement).value })} />
            </Field>
          ))}
          <div class="preview" data-testid="amendment-preview">
            <h4>{t("comments.preview")}</h4>
            {langs.map((l) => (
              <div key={l}>
                <p class="lang-head">{languageName(l)}</p>
                <Diff ops={wordDiff(clause.text[l] ?? "", proposed[l] ?? "")} lang={l} />
              </div>
            ))}
          </div>
        </div>
      )}
      <ErrorBox error={error} />
      <button type="submit" class="btn-primary" disabled={busy} data-testid="post-comment">
        {t("comments.submit")}
      </button>
    </form>
  );
}

function Threads({ comments, clause, langs, me, onChanged, onIncorporate }: {
  comments: Comment[]; clause: Clause; langs: string[]; me: Me; onChanged: () => void; onIncorporate: (c: Comment) => void;
}) {
  const roots = comments.filter((c) => !c.parent_id || !comments.some((p) => p.id === c.parent_id));
  const children = new Map<string, Comment[]>();
  for (const c of comments) {
    if (c.parent_id) children.set(c.parent_id, [...(children.get(c.parent_id) ?? []), c]);
  }
  if (comments.length === 0) return <p class="muted">{t("comments.none")}</p>;
  const render = (c: Comment, depth: number) => (
    <li key={c.id}>
      <CommentItem c={c} clause={clause} langs={langs} me={me} onChanged={onChanged} onIncorporate={onIncorporate} />
      {(children.get(c.id)?.length ?? 0) > 0 && depth < 6 && <ol class="replies">{children.get(c.id)!.map((r) => render(r, depth + 1))}</ol>}
    </li>
  );
  return (
    <ol class="threads" data-testid="threads">
      {roots.map((c) => render(c, 0))}
    </ol>
  );
}

function CommentItem({ c, clause, langs, me, onChanged, onIncorporate }: {
  c: Comment; clause: Clause; langs: string[]; me: Me; onChanged: () => void; onIncorporate: (c: Comment) => void;
}) {
  const [mode, setMode] = useState<"view" | "reply" | "edit" | "withdraw" | "resolve">("view");
  const [text, setText] = useState("");
  const [status, setStatus] = useState<"addressed" | "incorporated" | "declined">("addressed");
  const { busy, error, run } = useRun(() => {
    setMode("view");
    setText("");
    onChanged();
  });
  const key = useRef(newKey());
  const own = c.author.id === me.id;
  const open = c.status === "open";
  const who = c.author.country ? countryName(c.author.country) : c.observer ? t("comments.observer") : t("comments.facilitator");

  return (
    <article class={`comment comment-${c.status}`} data-testid="comment" data-comment-id={c.id} aria-label={`${c.author.name}, ${who}`}>
      <header>
        <strong>{c.author.name}</strong> <span class="muted">{who}</span>{" "}
        <span class={`badge kind-${c.kind}`}>{t(`comments.kind.${c.kind}` as Key)}</span>{" "}
        {c.status !== "open" && <span class={`badge cstatus-${c.status}`}>{t(`comments.status.${c.status}` as Key)}</span>}{" "}
        <span class="muted small">
          {formatDate(c.created_at)} · {t("comments.on_version", { n: c.clause_version })}
          {c.updated_at !== c.created_at && c.status === "open" ? ` · ${t("comments.edited")}` : ""}
        </span>
      </header>
      {c.quote && <blockquote class="quote">{c.quote}</blockquote>}
      {c.quote && c.anchor && c.anchor.version !== c.clause_version && (
        <p class={`anchor anchor-${c.anchor.state} small`} data-testid="anchor" data-anchor={c.anchor.state}>
          {t(`anchor.${c.anchor.state}` as Key, { excerpt: c.anchor.excerpt })}
        </p>
      )}
      {mode === "edit" ? (
        <form onSubmit={(e) => {
          e.preventDefault();
          void run(() => must(api.PATCH("/api/v1/comments/{id}", { params: { path: { id: c.id } }, body: { body: text } })));
        }}>
          <Field id={`edit-${c.id}`} label={t("comments.body")}>
            <textarea id={`edit-${c.id}`} rows={3} value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
          </Field>
          <FormActions busy={busy} label={t("comments.save")} onCancel={() => setMode("view")} />
        </form>
      ) : (
        <p class="comment-body">{c.body}</p>
      )}
      {c.kind === "amendment" && c.proposed_text && (
        <div class="amendment-diff">
          {langs.filter((l) => c.proposed_text?.[l] !== undefined).map((l) => (
            <div key={l}>
              <p class="lang-head">{languageName(l)}</p>
              <Diff ops={wordDiff(clause.text[l] ?? "", c.proposed_text?.[l] ?? "")} lang={l} />
            </div>
          ))}
        </div>
      )}
      {c.resolved_by && (
        <p class="resolution">
          {t("comments.resolved_by", { status: t(`comments.status.${c.status}` as Key), name: c.resolved_by.name, note: c.resolution_note })}
        </p>
      )}
      {mode === "view" && (
        <div class="comment-actions">
          {canComment(me) && (
            <button type="button" class="btn-link" onClick={() => setMode("reply")} data-testid="reply">
              {t("comments.reply")}
            </button>
          )}
          {own && open && (
            <>
              <button type="button" class="btn-link" onClick={() => { setText(c.body); setMode("edit"); }} data-testid="edit-comment">
                {t("comments.edit")}
              </button>
              <button type="button" class="btn-link" onClick={() => setMode("withdraw")} data-testid="withdraw-comment">
                {t("comments.withdraw")}
              </button>
            </>
          )}
          {isFacilitator(me) && open && (
            <>
              <button type="button" class="btn-link" onClick={() => setMode("resolve")} data-testid="resolve-comment">
                {t("comments.resolve")}
              </button>
              {c.kind === "amendment" && c.proposed_text && clause.status !== "agreed" && (
                <button type="button" class="btn-link" onClick={() => onIncorporate(c)} data-testid="incorporate">
                  {t("comments.incorporate")}
                </button>
              )}
            </>
          )}
        </div>
      )}
      {mode === "withdraw" && (
        <div class="confirm" role="group" aria-label={t("comments.withdraw")}>
          <p>{t("comments.withdraw_confirm")}</p>
          <button type="button" class="btn-danger" disabled={busy} data-testid="confirm-withdraw"
            onClick={() => void run(() => must(api.POST("/api/v1/comments/{id}/withdraw", { params: { path: { id: c.id } }, body: {} })))}>
            {t("comments.withdraw")}
          </button>
          <button type="button" class="btn-secondary" onClick={() => setMode("view")}>
            {t("comments.cancel")}
          </button>
        </div>
      )}
      {mode === "reply" && (
        <form class="reply-form" onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await must(api.POST("/api/v1/clauses/{cid}/comments", {
              params: { path: { cid: clause.id }, header: { "Idempotency-Key": key.current } },
              body: { kind: "general", body: text, parent_id: c.id },
            }));
            key.current = newKey();
          });
        }}>
          <Field id={`reply-${c.id}`} label={t("comments.reply_to", { name: c.author.name })}>
            <textarea id={`reply-${c.id}`} rows={2} required value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} data-testid="reply-body" />
          </Field>
          <FormActions busy={busy} label={t("comments.reply")} testid="post-reply" onCancel={() => setMode("view")} />
        </form>
      )}
      {mode === "resolve" && (
        <form class="resolve-form" onSubmit={(e) => {
          e.preventDefault();
          void run(() => must(api.POST("/api/v1/comments/{id}/resolve", { params: { path: { id: c.id } }, body: { status, note: text } })));
        }}>
          <Field id={`resolve-status-${c.id}`} label={t("comments.resolve_as")}>
            <select id={`resolve-status-${c.id}`} value={status} onChange={(e) => setStatus((e.currentTarget as HTMLSelectElement).value as typeof status)}>
              {(["addressed", "incorporated", "declined"] as const).map((s) => (
                <option key={s} value={s}>
                  {t(`comments.status.${s}` as Key)}
                </option>
              ))}
            </select>
          </Field>
          <Field id={`resolve-note-${c.id}`} label={t("comments.resolution_note")}>
            <textarea id={`resolve-note-${c.id}`} rows={2} required value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
          </Field>
          <FormActions busy={busy} label={t("comments.resolve")} testid="confirm-resolve" onCancel={() => setMode("view")} />
        </form>
      )}
      <ErrorBox error={error} />
    </article>
  );
}

/** Sources: the national inputs (Session 2) the clause answers. */
function Sources({ cid }: { cid: string }) {
  const lang = useLang();
  const res = useResource(() => must(api.GET("/api/v1/clauses/{cid}/sources", { params: { path: { cid } } })), [cid]);
  useLive((e) => {
    if (e.type === "clause.sources_changed" && (e.data as { clause_id?: string }).clause_id === cid) res.reload();
  }, [cid, res.reload]);
  const d = res.data;
  if (!d || d.inputs.length === 0) return null;
  return (
    <section class="panel sources" aria-labelledby="sources-title" data-testid="sources">
      <h2 id="sources-title">{t("sources.title")}</h2>
      <p class="muted">{t("sources.countries", { countries: d.countries.map(countryName).join(", ") })}</p>
      <ul>
        {d.inputs.map((i) => (
          <li key={i.id}>
            <strong>{countryName(i.country)}</strong> · {t(`kind.${i.kind}` as Key)}: {titleOf(i.text, lang)}
          </li>
        ))}
      </ul>
    </section>
  );
}

// ------------------------------------------------------------------- history

function History({ clause, langs }: { clause: ClausePage; langs: string[] }) {
  const versions = clause.versions?.items ?? [];
  const [from, setFrom] = useState(Math.max(1, clause.version - 1));
  const [to, setTo] = useState(clause.version);
  useEffect(() => {
    setFrom(Math.max(1, clause.version - 1));
    setTo(clause.version);
  }, [clause.version]);
  const diff = useResource(async () => {
    if (from === to) return null;
    const d = await must(api.GET("/api/v1/clauses/{cid}/diff", { params: { path: { cid: clause.id }, query: { from, to, lang: "*" } } }));
    return "langs" in d ? d.langs : { [d.lang]: d.ops };
  }, [clause.id, from, to]);
  const numbers = Array.from({ length: clause.version }, (_, i) => i + 1);
  return (
    <section class="panel" aria-labelledby="history-title">
      <h2 id="history-title">{t("history.title")}</h2>
      <ol class="versions" reversed>
        {[...versions].sort((a, b) => b.number - a.number).map((v) => (
          <li key={v.number}>
            <strong>{t("clause.version", { n: v.number })}</strong>{" "}
            <span class="muted small">{t("history.by", { name: v.author.name, date: formatDate(v.created_at) })}</span>
            {v.note && <div class="note">{v.note}</div>}
          </li>
        ))}
      </ol>
      {clause.version > 1 && (
        <div class="compare" data-testid="version-compare">
          <h3>{t("history.compare")}</h3>
          <div class="inline-fields">
            <Field id="diff-from" label={t("history.from")}>
              <select id="diff-from" value={from} onChange={(e) => setFrom(Number((e.currentTarget as HTMLSelectElement).value))}>
                {numbers.map((n) => <option key={n} value={n}>{n}</option>)}
              </select>
            </Field>
            <Field id="diff-to" label={t("history.to")}>
              <select id="diff-to" value={to} onChange={(e) => setTo(Number((e.currentTarget as HTMLSelectElement).value))}>
                {numbers.map((n) => <option key={n} value={n}>{n}</option>)}
              </select>
            </Field>
          </div>
          <ErrorBox error={diff.error} />
          {diff.data &&
            langs.map((l) => (
              <div key={l}>
                <h4 class="lang-head">{languageName(l)}</h4>
                {diff.data?.[l] && changes(diff.data[l]!) ? <Diff ops={diff.data[l]!} lang={l} /> : <p class="muted">{t("history.no_changes")}</p>}
              </div>
            ))}
        </div>
      )}
    </section>
  );
}

// --------------------------------------------------------------- facilitator

function FacilitatorPanel({ clause, langs, seed, clearSeed, onChanged }: {
  clause: Clause; langs: string[]; seed: EditorSeed | null; clearSeed: () => void; onChanged: () => void;
}) {
  return (
    <section class="panel facilitator" aria-labelledby="facilitator-title">
      <h2 id="facilitator-title">{t("facilitator.title")}</h2>
      <TextEditor clause={clause} langs={langs} seed={seed} clearSeed={clearSeed} onChanged={onChanged} />
      <StatusActions clause={clause} onChanged={onChanged} />
    </section>
  );
}

function TextEditor({ clause, langs, seed, clearSeed, onChanged }: {
  clause: Clause; langs: string[]; seed: EditorSeed | null; clearSeed: () => void; onChanged: () => void;
}) {
  const [base, setBase] = useState<Clause | null>(null); // the clause as it was when editing began
  const [draft, setDraft] = useState<Text>({});
  const [note, setNote] = useState("");
  const [incorporates, setIncorporates] = useState<string[]>([]);
  const [conflict, setConflict] = useState<Clause | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const editorRef = useRef<HTMLDivElement>(null);

  const begin = (text: Text, inc: string[]) => {
    setBase(clause);
    setDraft({ ...text });
    setIncorporates(inc);
    setConflict(null);
    setError(null);
    setSaved(null);
  };
  useEffect(() => {
    if (seed) {
      begin({ ...clause.text, ...seed.text }, seed.incorporates);
      clearSeed();
      editorRef.current?.scrollIntoView({ block: "start" });
    }
  }, [seed]);

  async function save(against: Clause) {
    setBusy(true);
    setError(null);
    try {
      const c = await must(api.PUT("/api/v1/clauses/{cid}/text", {
        params: { path: { cid: clause.id }, header: { "If-Match": against.etag } },
        body: note ? { text: draft, note, incorporates } : { text: draft, incorporates },
      }));
      setBase(null);
      setConflict(null);
      setSaved(c.version);
      setNote("");
      onChanged();
    } catch (err) {
      const current = err instanceof ApiError && err.status === 412 ? (err.problem?.data?.current as Clause | undefined) : undefined;
      if (current) setConflict(current);
      else setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (!base) {
    return (
      <div ref={editorRef}>
        {saved && <Notice>{t("facilitator.saved", { n: saved })}</Notice>}
        {clause.status !== "agreed" && (
          <button type="button" class="btn-secondary" onClick={() => begin(clause.text, [])} data-testid="edit-text">
            {t("facilitator.edit")}
          </button>
        )}
      </div>
    );
  }
  return (
    <div ref={editorRef}>
      <form class="text-editor" data-testid="text-editor" onSubmit={(e) => {
        e.preventDefault();
        void save(base);
      }}>
        <div class="columns">
          {langs.map((l) => (
            <Field key={l} id={`edit-${l}`} label={languageName(l)}>
              <textarea id={`edit-${l}`} lang={l} rows={6} value={draft[l] ?? ""} onInput={(e) => setDraft({ ...draft, [l]: (e.currentTarget as HTMLTextAreaElement).value })} />
            </Field>
          ))}
        </div>
        <Field id="edit-note" label={t("facilitator.note")}>
          <input id="edit-note" type="text" value={note} onInput={(e) => setNote((e.currentTarget as HTMLInputElement).value)} />
        </Field>
        {incorporates.length > 0 && <p class="muted">{t("facilitator.incorporates", { count: incorporates.length })}</p>}
        <ErrorBox error={error} />
        {!conflict && (
          <FormActions busy={busy} label={t("facilitator.save", { n: base.version + 1 })} testid="save-text" onCancel={() => setBase(null)} />
        )}
      </form>
      {conflict && (
        <div class="conflict" role="alert" data-testid="text-conflict">
          <h3>{t("facilitator.conflict_title")}</h3>
          <p>{t("facilitator.conflict_body", { base: base.version, current: conflict.version })}</p>
          <div class="columns">
            <div>
              <h4>{t("facilitator.their_change", { base: base.version, current: conflict.version })}</h4>
              {langs.map((l) => (
                <div key={l}>
                  <p class="lang-head">{languageName(l)}</p>
                  <Diff ops={wordDiff(base.text[l] ?? "", conflict.text[l] ?? "")} lang={l} />
                </div>
              ))}
            </div>
            <div>
              <h4>{t("facilitator.your_change", { base: base.version })}</h4>
              {langs.map((l) => (
                <div key={l}>
                  <p class="lang-head">{languageName(l)}</p>
                  <Diff ops={wordDiff(base.text[l] ?? "", draft[l] ?? "")} lang={l} />
                </div>
              ))}
            </div>
          </div>
          <div class="actions">
            <button type="button" class="btn-secondary" data-testid="keep-theirs" onClick={() => {
              setBase(null);
              setConflict(null);
              onChanged();
            }}>
              {t("facilitator.keep_theirs")}
            </button>
            <button type="button" class="btn-primary" disabled={busy} data-testid="use-mine" onClick={() => void save(conflict)}>
              {t("facilitator.use_mine")}
            </button>
            <button type="button" class="btn-secondary" data-testid="edit-theirs" onClick={() => {
              setBase(conflict);
              setDraft({ ...conflict.text });
              setConflict(null);
            }}>
              {t("facilitator.edit_theirs")}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}

function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function StatusActions({ clause, onChanged }: { clause: Clause; onChanged: () => void }) {
  const [mode, setMode] = useState<"none" | "silence" | "reopen">("none");
  const [deadline, setDeadline] = useState(() => localInput(new Date(Date.now() + 72 * 3600 * 1000)));
  const [reason, setReason] = useState("");
  const { busy, error, run } = useRun(() => {
    setMode("none");
    setReason("");
    onChanged();
  });
  const cid = clause.id;
  const s = clause.status;
  return (
    <div class="status-actions" role="group" aria-label={t("facilitator.status")}>
      <h3>{t("facilitator.status")}</h3>
      <div class="actions">
        {s === "draft" && (
          <button type="button" class="btn-secondary" disabled={busy} data-testid="open-clause"
            onClick={() => void run(() => must(api.POST("/api/v1/clauses/{cid}/open", { params: { path: { cid } }, body: {} })))}>
            {t("facilitator.open")}
          </button>
        )}
        {(s === "open" || s === "consensus") && (
          <button type="button" class="btn-secondary" onClick={() => setMode("silence")} data-testid="silence-clause">
            {t("facilitator.silence")}
          </button>
        )}
        {s === "consensus" && (
          <button type="button" class="btn-secondary" disabled={busy} data-testid="lock-clause"
            onClick={() => void run(() => must(api.POST("/api/v1/clauses/{cid}/lock", { params: { path: { cid } }, body: {} })))}>
            {t("facilitator.lock")}
          </button>
        )}
        {(s === "agreed" || s === "silence") && (
          <button type="button" class="btn-secondary" onClick={() => setMode("reopen")} data-testid="reopen-clause">
            {t("facilitator.reopen")}
          </button>
        )}
      </div>
      {mode === "silence" && (
        <form class="inline-form" onSubmit={(e) => {
          e.preventDefault();
          void run(() => must(api.POST("/api/v1/clauses/{cid}/silence", { params: { path: { cid } }, body: { deadline: new Date(deadline).toISOString() } })));
        }}>
          <Field id="silence-deadline" label={t("facilitator.deadline")}>
            <input id="silence-deadline" type="datetime-local" required value={deadline} onInput={(e) => setDeadline((e.currentTarget as HTMLInputElement).value)} />
          </Field>
          <FormActions busy={busy} label={t("facilitator.start_silence")} testid="start-silence" onCancel={() => setMode("none")} />
        </form>
      )}
      {mode === "reopen" && (
        <form class="inline-form" onSubmit={(e) => {
          e.preventDefault();
          void run(() => must(api.POST("/api/v1/clauses/{cid}/reopen", { params: { path: { cid } }, body: { reason } })));
        }}>
          <Field id="reopen-reason" label={t("facilitator.reason")}>
            <input id="reopen-reason" type="text" required value={reason} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
          </Field>
          <FormActions busy={busy} label={t("facilitator.reopen")} testid="confirm-reopen" onCancel={() => setMode("none")} />
        </form>
      )}
      <ErrorBox error={error} />
    </div>
  );
}
