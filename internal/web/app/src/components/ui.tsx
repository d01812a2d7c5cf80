import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError, type ClauseStatus, type DiffOps } from "../api/client";
import { t, type Key } from "../i18n";
import { onLink } from "../router";

/** useResource loads data and reloads it on demand (live events call reload). */
export function useResource<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const seq = useRef(0);
  const reload = useCallback(() => {
    const mine = ++seq.current;
    load().then(
      (d) => {
        if (mine === seq.current) {
          setData(d);
          setError(null);
        }
      },
      (e: unknown) => {
        if (mine === seq.current) setError(e);
      },
    );
  }, deps);
  useEffect(() => {
    setData(null);
    reload();
  }, [reload]);
  return { data, error, reload, setData };
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    const detail = e.problem?.errors?.length
      ? e.problem.errors.map((f) => `${f.field}: ${f.message}`).join("; ")
      : e.message;
    if (e.status === 0) return t("error.network");
    if (e.status === 403) return t("error.forbidden", { detail });
    if (e.status === 409 || e.status === 412) return t("error.conflict", { detail });
    if (e.status === 422 || e.status === 400) return t("error.invalid", { detail });
    if (e.status === 503 || e.status === 429) return t("error.unavailable");
    return t("error.generic", { detail });
  }
  return t("error.generic", { detail: String(e) });
}

export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
  if (!error) return null;
  return (
    <div class="alert alert-error" role="alert">
      <span>{errorText(error)}</span>
      {retry && (
        <button type="button" class="btn-link" onClick={retry}>
          {t("app.retry")}
        </button>
      )}
    </div>
  );
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <div class="alert alert-ok" role="status">
      {children}
    </div>
  );
}

export function Loading() {
  return (
    <p class="loading" role="status" aria-live="polite">
      {t("app.loading")}
    </p>
  );
}

export function StatusBadge({ status }: { status: ClauseStatus }) {
  return <span class={`badge status-${status}`}>{t(`status.${status}` as Key)}</span>;
}

export function Link({ href, children, class: cls, ...rest }: { href: string; children: ComponentChildren; class?: string; "aria-current"?: "page" | undefined; "data-testid"?: string }) {
  return (
    <a href={href} class={cls} onClick={onLink} {...rest}>
      {children}
    </a>
  );
}

/** Diff shows word-diff operations: insertions underlined, deletions struck. */
export function Diff({ ops, lang }: { ops: DiffOps; lang?: string }) {
  return (
    <p class="diff" lang={lang}>
      {ops.map((o, i) =>
        o.op === "equal" ? (
          <span key={i}>{o.text}</span>
        ) : o.op === "insert" ? (
          <ins key={i} title={t("diff.inserted")}>
            {o.text}
          </ins>
        ) : (
          <del key={i} title={t("diff.deleted")}>
            {o.text}
          </del>
        ),
      )}
    </p>
  );
}

/** Field: a labelled control; the label is always visible. */
export function Field({ label, id, children, hint }: { label: string; id: string; children: ComponentChildren; hint?: string }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      {hint && (
        <small class="hint" id={`${id}-hint`}>
          {hint}
        </small>
      )}
    </div>
  );
}

/** allPages follows next_cursor until the list ends (lists are paginated). */
export async function allPages<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor?: string | null }>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const p = await page(cursor);
    out.push(...p.items);
    if (!p.next_cursor) break;
    cursor = p.next_cursor;
  }
  return out;
}

/** FormActions: a form's submit button and its cancel button. */
export function FormActions({ busy, label, testid, onCancel }: { busy: boolean; label: string; testid?: string; onCancel: () => void }) {
  return (
    <div class="actions">
      <button type="submit" class="btn-primary" disabled={busy} data-testid={testid}>
        {label}
      </button>
      <button type="button" class="btn-secondary" onClick={onCancel}>
        {t("comments.cancel")}
      </button>
    </div>
  );
}

/** useRun runs one change at a time: busy while it runs, its error kept, done() after success. */
export function useRun(done: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      done();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}
