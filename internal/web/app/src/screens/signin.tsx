import { useState } from "preact/hooks";
import { ApiError, api, must, signIn, type Me } from "../api/client";
import { LangSelect } from "../app";
import { errorText } from "../components/ui";
import { t, useLang } from "../i18n";

export function SignIn({ onSignedIn, ended }: { onSignedIn: (me: Me) => void; ended: boolean }) {
  useLang();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
      onSignedIn(await must(api.GET("/api/v1/me")));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(t("signin.failed"));
      else if (err instanceof ApiError && err.status === 429)
        setError(t("signin.rate_limited", { seconds: err.problem?.data?.retry_after ?? 60 }));
      else setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="signin">
      <div class="signin-card">
        <div class="signin-head">
          <h1>{t("app.name")}</h1>
          <LangSelect id="lang" />
        </div>
        <p class="muted">{t("signin.intro")}</p>
        {ended && (
          <p class="alert alert-warn" role="status">
            {t("app.session_ended")}
          </p>
        )}
        <form onSubmit={submit} aria-labelledby="signin-title" noValidate={false}>
          <h2 id="signin-title">{t("signin.title")}</h2>
          <div class="field">
            <label for="email">{t("signin.email")}</label>
            <input id="email" name="email" type="email" autoComplete="username" required value={email}
              onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)} />
          </div>
          <div class="field">
            <label for="password">{t("signin.password")}</label>
            <input id="password" name="password" type="password" autoComplete="current-password" required value={password}
              onInput={(e) => setPassword((e.currentTarget as HTMLInputElement).value)} />
          </div>
          {error && (
            <p class="alert alert-error" role="alert" data-testid="signin-error">
              {error}
            </p>
          )}
          <button type="submit" class="btn-primary" disabled={busy} data-testid="sign-in">
            {busy ? t("signin.busy") : t("signin.submit")}
          </button>
        </form>
      </div>
    </main>
  );
}
