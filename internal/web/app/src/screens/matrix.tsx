import { useMemo } from "preact/hooks";
import { titleOf, useGuideline } from "../app";
import { ErrorBox, Link, Loading, StatusBadge, useResource } from "../components/ui";
import { debounce, loadMatrix, type MatrixRow } from "../data";
import { countryName, formatDate, t, useLang, type Key } from "../i18n";
import { useLive } from "../live";
import { href } from "../router";

const stances = ["agree", "agree_with_reservation", "abstain", "object", "stale", "pending"] as const;
const symbol: Record<string, string> = { agree: "✓", agree_with_reservation: "✓*", abstain: "–", object: "✗", stale: "↺", pending: "?" };

export function MatrixScreen({ gid }: { gid: string }) {
  const lang = useLang();
  const info = useGuideline(gid);
  const res = useResource(() => loadMatrix(gid), [gid]);
  const reload = useMemo(() => debounce(res.reload), [res.reload]);
  useLive(() => reload(), [reload]);
  const m = res.data;

  return (
    <section aria-labelledby="matrix-title">
      <h1 id="matrix-title">{t("matrix.title")}</h1>
      <p class="muted">{t("matrix.intro")}</p>
      <ErrorBox error={res.error} retry={res.reload} />
      {!m || !info ? (
        !res.error && <Loading />
      ) : (
        <>
          <Legend />
          <div class="matrix-wrap" tabIndex={0} role="region" aria-label={t("matrix.table")}>
            <table class="matrix" data-testid="matrix">
              <thead>
                <tr>
                  <th scope="col">{t("matrix.clause")}</th>
                  <th scope="col">{t("matrix.status")}</th>
                  {m.participants.map((p) => (
                    <th scope="col" key={p} title={countryName(p)}>
                      <abbr title={countryName(p)}>{p}</abbr>
                    </th>
                  ))}
                </tr>
              </thead>
              {info.sections.map((s) => {
                const rows = m.rows.filter((r) => r.section_id === s.id);
                if (rows.length === 0) return null;
                return (
                  <tbody key={s.id}>
                    <tr class="matrix-section">
                      <th scope="colgroup" colSpan={m.participants.length + 2}>
                        {titleOf(s.title, lang)}
                      </th>
                    </tr>
                    {rows.map((r) => (
                      <tr key={r.id}>
                        <th scope="row">
                          <Link href={href({ name: "clause", cid: r.id })}>{r.number}</Link>
                        </th>
                        <td>
                          <StatusBadge status={r.status} />
                        </td>
                        {m.participants.map((p) => (
                          <Cell key={p} row={r} country={p} />
                        ))}
                      </tr>
                    ))}
                  </tbody>
                );
              })}
            </table>
          </div>
          <section aria-labelledby="blocking-title" class="blocking">
            <h2 id="blocking-title">{t("matrix.blocking")}</h2>
            {m.ready ? (
              <p class="alert alert-ok">{t("matrix.ready")}</p>
            ) : (
              <>
                <p>{t("matrix.not_ready", { count: m.blocking.length })}</p>
                <ul data-testid="blocking">
                  {m.blocking.map((id) => {
                    const r = m.rows.find((x) => x.id === id);
                    if (!r) return null;
                    const unheard = m.participants.filter((p) => r.positions[p] === "pending" || r.positions[p] === "stale");
                    return (
                      <li key={id}>
                        <Link href={href({ name: "clause", cid: id })}>{t("clause.title", { number: r.number })}</Link> <StatusBadge status={r.status} />
                        {r.objections.map((o) => (
                          <span key={o.country} class="why">
                            {" — "}
                            {t("matrix.objects", { country: countryName(o.country), reason: o.text })}
                          </span>
                        ))}
                        {unheard.length > 0 && r.status !== "draft" && (
                          <span class="why"> — {t("matrix.unheard", { countries: unheard.map(countryName).join(", ") })}</span>
                        )}
                        {r.silence_deadline && <span class="why"> — {t("matrix.silence_until", { date: formatDate(r.silence_deadline) })}</span>}
                      </li>
                    );
                  })}
                </ul>
              </>
            )}
          </section>
        </>
      )}
    </section>
  );
}

function Cell({ row, country }: { row: MatrixRow; country: string }) {
  const stance = row.positions[country] ?? "pending";
  const deemed = row.deemed.includes(country);
  const adRef = row.ad_referendum.find((a) => a.country === country);
  const note = row.reservations.find((x) => x.country === country)?.text ?? row.objections.find((x) => x.country === country)?.text;
  const label = `${countryName(country)}: ${deemed ? t("stance.deemed") : t(`stance.${stance}` as Key)}${adRef ? ` (${t("practice.ad_referendum_until", { date: formatDate(adRef.confirm_by) })})` : ""}${note ? ` — ${note}` : ""}`;
  return (
    <td class={`cell cell-${stance}${deemed ? " cell-deemed" : ""}${adRef ? " cell-adref" : ""}`} title={label} data-stance={stance}>
      <span aria-hidden="true">{deemed ? "D" : symbol[stance]}</span>
      <span class="sr-only">{label}</span>
    </td>
  );
}

function Legend() {
  return (
    <details class="legend" open>
      <summary>{t("matrix.legend")}</summary>
      <ul>
        {stances.map((s) => (
          <li key={s}>
            <span class={`cell cell-${s} swatch`} aria-hidden="true">
              {symbol[s]}
            </span>
            {t(`stance.${s}` as Key)}
          </li>
        ))}
        <li>
          <span class="cell cell-agree cell-deemed swatch" aria-hidden="true">
            D
          </span>
          {t("stance.deemed")}
        </li>
        <li>
          <span class="cell cell-agree cell-adref swatch" aria-hidden="true">
            ✓
          </span>
          {t("practice.ad_referendum")}
        </li>
      </ul>
    </details>
  );
}
