package render

import (
	"bytes"
	"html/template"
)

// htmlPage is what the page template sees. Going through html/template means
// every user string is escaped by context, not by remembering to call a helper.
type htmlPage struct {
	Lang      string
	Title     string
	HeadTitle string
	Status    string
	Parts     []part
}

// HTML renders the document as one standalone HTML5 page, headed in its
// first language, one article per language worded in that language: inline
// CSS, no scripts and no external resources, so it can be mailed, archived
// or opened offline and still look the same.
func HTML(d Document) []byte {
	first := firstLanguage(d)
	page := htmlPage{
		Lang:   "und", // BCP 47 for "undetermined"
		Title:  collapseSpace(titleIn(d.Title, first, d.Languages)),
		Status: statusLine(d, labelsFor(first)),
	}
	page.HeadTitle = page.Title
	if page.HeadTitle == "" {
		page.HeadTitle = page.Status // an empty <title> is not valid HTML
	}
	if len(d.Languages) > 0 {
		page.Lang = d.Languages[0]
	}
	keys := clauseKeys(d)
	for _, lang := range d.Languages {
		page.Parts = append(page.Parts, layoutPart(d, lang, keys))
	}
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, page); err != nil {
		// The template is static and writes to memory; failing here is a bug
		// in this package, not a property of the document.
		panic("render: html template: " + err.Error())
	}
	return b.Bytes()
}

var htmlTemplate = func() *template.Template {
	t := template.Must(template.New("page").Funcs(template.FuncMap{
		"pair": func(p part, c clausePart) htmlClause { return htmlClause{P: p, C: c} },
	}).Parse(htmlSource))
	template.Must(t.New("clause").Parse(htmlClauseSource))
	return t
}()

// htmlClause is what the clause template sees: the part and the clause.
type htmlClause struct {
	P part
	C clausePart
}

// htmlClauseSource is one clause paragraph and its labelled lines
// (an action's details, a draft's sources).
const htmlClauseSource = `{{$p := .P}}{{with .C}}
<p id="clause-{{.Key}}-{{$p.IDLang}}" class="clause"><strong>{{.Number}}</strong> {{if .Bracketed}}<span class="bracketed">[{{end}}{{if .Pending}}<em class="pending">{{$p.Labels.Pending}}</em>{{else}}{{.Text}}{{end}}{{if .Bracketed}}]</span>{{end}}{{range .Notes}}<sup><a href="#fn-{{$p.IDLang}}-{{.N}}">{{.N}}</a></sup>{{end}}</p>
{{- range .Lines}}
<p class="detail"><em>{{.Label}}:</em> {{.Value}}</p>
{{- end}}{{end}}`

// htmlSource keeps each clause paragraph on one line because the CSS uses
// white-space: pre-line to honour line breaks inside clause text.
const htmlSource = `<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.HeadTitle}}</title>
<style>
body{font-family:Georgia,"Times New Roman",serif;line-height:1.5;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
header{border-bottom:1px solid #999;margin-bottom:1.5rem}
.status{color:#555}
article+article{border-top:1px solid #999;margin-top:2.5rem}
.clause{white-space:pre-line}
.bracketed{background:#fff4d6}
.pending{color:#777}
.detail{margin:.2rem 0 .2rem 1.5rem;font-size:.95em}
.footnotes{font-size:.9em;border-top:1px solid #ccc;padding-top:.5rem}
@media print{.bracketed{background:none}article+article{break-before:page}}
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<p class="status">{{.Status}}</p>
</header>
{{- range $p := .Parts}}
<article lang="{{$p.Lang}}">
<h2>{{$p.Name}}</h2>
{{- if and $p.Title (ne $p.Title $.Title)}}
<p class="title">{{$p.Title}}</p>
{{- end}}
{{- range $p.Sections}}
<section>
<h3>{{.Title}}</h3>
{{- range .Clauses}}{{template "clause" (pair $p .)}}{{end}}
</section>
{{- end}}
{{- if $p.Annex}}
<section class="annex">
<h3>{{$p.AnnexTitle}}</h3>
{{- range $p.Annex}}
<section>
<h4>{{.Title}}</h4>
{{- range .Clauses}}{{template "clause" (pair $p .)}}{{end}}
</section>
{{- end}}
</section>
{{- end}}
{{- if $p.Notes}}
<ol class="footnotes">
{{- range $p.Notes}}
<li id="fn-{{$p.IDLang}}-{{.N}}">{{.Label}} <a href="#clause-{{.ClauseKey}}-{{$p.IDLang}}" aria-label="{{$p.Labels.BackToClause}}">↩</a></li>
{{- end}}
</ol>
{{- end}}
</article>
{{- end}}
</body>
</html>
`
