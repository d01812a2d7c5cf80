package httpapi

import (
	"bytes"
	"fmt"
	"html/template"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// docsPage renders the human-readable API reference served at /docs from the
// OpenAPI document. It runs once at startup; the page is self-contained
// (inline CSS, no scripts, nothing loaded from elsewhere) so it works offline
// under the strict Content-Security-Policy the handler sets. html/template
// escapes every value taken from the document.
func docsPage(spec []byte) ([]byte, error) {
	doc := &openapi3.T{}
	if len(bytes.TrimSpace(spec)) > 0 {
		var err error
		if doc, err = openapi3.NewLoader().LoadFromData(spec); err != nil {
			return nil, fmt.Errorf("docs page: load OpenAPI document: %w", err)
		}
	}
	var buf bytes.Buffer
	if err := docsTemplate.Execute(&buf, newDocsView(doc)); err != nil {
		return nil, fmt.Errorf("docs page: render: %w", err)
	}
	return buf.Bytes(), nil
}

type docsView struct {
	Title, Version, OpenAPI, Contact, License string
	Description                               template.HTML
	Servers                                   []docsServer
	Auth                                      []string
	Tags                                      []docsTag
	Schemas                                   []docsSchema
}

type docsServer struct{ URL, Description string }

type docsTag struct {
	Name, ID    string
	Description template.HTML
	Ops         []docsOp
}

type docsOp struct {
	ID, Method, Path, Summary, OperationID string
	Description                            template.HTML
	Public, Deprecated                     bool
	Params                                 []docsField
	Body                                   *docsBody
	Responses                              []docsResponse
}

// docsField is a row of a parameters or properties table.
type docsField struct {
	Name, In, Notes string
	Type            template.HTML
	Required        bool
	Description     template.HTML
}

type docsBody struct {
	Required    bool
	Description template.HTML
	Media       []docsMedia
}

type docsMedia struct {
	Type   string
	Schema template.HTML
	Props  []docsField // when the schema is an inline object
}

type docsResponse struct {
	Status, Class string
	Description   template.HTML
	Headers       []string
	Media         []docsMedia
}

type docsSchema struct {
	Name, ID    string
	Type        template.HTML
	Description template.HTML
	Enum        []string
	Props       []docsField
}

func newDocsView(doc *openapi3.T) docsView {
	v := docsView{Title: "API reference", OpenAPI: doc.OpenAPI}
	if doc.Info != nil {
		v.Title, v.Version, v.Description = doc.Info.Title, doc.Info.Version, docsMarkdown(doc.Info.Description)
		if c := doc.Info.Contact; c != nil {
			v.Contact = strings.TrimSpace(c.Name + " " + c.URL + " " + c.Email)
		}
		if l := doc.Info.License; l != nil {
			v.License = strings.TrimSpace(l.Name + " " + l.URL)
		}
	}
	for _, s := range doc.Servers {
		v.Servers = append(v.Servers, docsServer{URL: s.URL, Description: s.Description})
	}
	if doc.Components != nil {
		for _, name := range docsKeys(doc.Components.SecuritySchemes) {
			if s := doc.Components.SecuritySchemes[name].Value; s != nil {
				kind := strings.Join(docsNonEmpty(strings.ToUpper(s.Type), s.Scheme, s.In, s.Name), " ")
				if s.BearerFormat != "" {
					kind += " (" + s.BearerFormat + ")"
				}
				v.Auth = append(v.Auth, strings.Join(docsNonEmpty(name+" — "+kind, s.Description), ": "))
			}
		}
		for _, name := range docsKeys(doc.Components.Schemas) {
			v.Schemas = append(v.Schemas, newDocsSchema(name, doc.Components.Schemas[name]))
		}
	}
	v.Tags = docsTags(doc)
	return v
}

// docsTags groups operations under their first tag: declared tags in the
// document's order, then undeclared ones by name, then untagged operations.
func docsTags(doc *openapi3.T) []docsTag {
	byTag := map[string][]docsOp{}
	if doc.Paths != nil {
		paths := doc.Paths.Map()
		for _, path := range docsKeys(paths) {
			item := paths[path]
			for method, op := range item.Operations() {
				tag := "other"
				if len(op.Tags) > 0 {
					tag = op.Tags[0]
				}
				byTag[tag] = append(byTag[tag], newDocsOp(doc, path, strings.ToUpper(method), item, op))
			}
		}
	}
	var tags []docsTag
	add := func(name string, desc string) {
		ops, ok := byTag[name]
		if !ok {
			return
		}
		delete(byTag, name)
		sort.Slice(ops, func(i, j int) bool {
			if ops[i].Path != ops[j].Path {
				return ops[i].Path < ops[j].Path
			}
			return docsMethodRank(ops[i].Method) < docsMethodRank(ops[j].Method)
		})
		tags = append(tags, docsTag{Name: name, ID: "tag-" + docsAnchor(name), Description: docsMarkdown(desc), Ops: ops})
	}
	for _, t := range doc.Tags {
		add(t.Name, t.Description)
	}
	rest := docsKeys(byTag)
	for _, name := range rest {
		if name != "other" {
			add(name, "")
		}
	}
	add("other", "Operations without a tag.")
	return tags
}

func docsMethodRank(m string) int {
	if i := slices.Index([]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}, m); i >= 0 {
		return i
	}
	return 99
}

func newDocsOp(doc *openapi3.T, path, method string, item *openapi3.PathItem, op *openapi3.Operation) docsOp {
	o := docsOp{
		ID: "op-" + docsAnchor(method+"-"+path), Method: method, Path: path, Summary: op.Summary, OperationID: op.OperationID,
		Description: docsMarkdown(op.Description), Deprecated: op.Deprecated,
	}
	if op.OperationID != "" {
		o.ID = "op-" + docsAnchor(op.OperationID)
	}
	security := doc.Security
	if op.Security != nil {
		security = *op.Security
	}
	o.Public = len(security) == 0
	// Operation parameters override path-level ones with the same name and place.
	params := map[string]*openapi3.Parameter{}
	var order []string
	for _, list := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, ref := range list {
			if p := ref.Value; p != nil {
				key := p.In + " " + p.Name
				if _, seen := params[key]; !seen {
					order = append(order, key)
				}
				params[key] = p
			}
		}
	}
	in := map[string]int{"path": 0, "query": 1, "header": 2, "cookie": 3}
	sort.SliceStable(order, func(i, j int) bool { return in[params[order[i]].In] < in[params[order[j]].In] })
	for _, key := range order {
		p := params[key]
		schema := p.Schema
		if schema == nil {
			for _, mt := range docsKeys(p.Content) {
				schema = p.Content[mt].Schema
				break
			}
		}
		o.Params = append(o.Params, docsField{Name: p.Name, In: p.In, Type: docsType(schema), Required: p.Required,
			Description: docsMarkdown(p.Description), Notes: strings.Join(docsNotes(schema, p.Deprecated), "; ")})
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		b := op.RequestBody.Value
		o.Body = &docsBody{Required: b.Required, Description: docsMarkdown(b.Description), Media: docsMediaList(b.Content)}
	}
	if op.Responses != nil {
		responses := op.Responses.Map()
		codes := docsKeys(responses)
		sort.SliceStable(codes, func(i, j int) bool { return docsStatusRank(codes[i]) < docsStatusRank(codes[j]) })
		for _, code := range codes {
			r := responses[code].Value
			if r == nil {
				continue
			}
			resp := docsResponse{Status: code, Class: "s" + code[:1], Headers: docsKeys(r.Headers), Media: docsMediaList(r.Content)}
			if r.Description != nil {
				resp.Description = docsMarkdown(*r.Description)
			}
			o.Responses = append(o.Responses, resp)
		}
	}
	return o
}

// docsStatusRank orders 200 < 2XX < 304 < 4XX < default.
func docsStatusRank(code string) int {
	if n, err := strconv.Atoi(code); err == nil {
		return n * 10
	}
	if len(code) == 3 && code[0] >= '1' && code[0] <= '5' {
		return int(code[0]-'0')*1000 + 999
	}
	return 100000
}

func docsMediaList(content openapi3.Content) []docsMedia {
	var out []docsMedia
	for _, mt := range docsKeys(content) {
		m := docsMedia{Type: mt}
		if media := content[mt]; media != nil && media.Schema != nil {
			m.Schema = docsType(media.Schema)
			if m.Props = docsInlineProps(media.Schema); len(m.Props) > 0 {
				// The table lists the properties; the type need not.
				m.Schema = "object"
				if media.Schema.Value.Type.Is("array") {
					m.Schema = "array of object"
				}
			}
		}
		out = append(out, m)
	}
	return out
}

// docsInlineProps lists the properties of a schema written in place (not a
// named component, which has its own entry), or of its inline array items.
func docsInlineProps(ref *openapi3.SchemaRef) []docsField {
	if ref == nil || ref.Ref != "" || ref.Value == nil {
		return nil
	}
	if s := ref.Value; s.Items != nil && s.Items.Ref == "" && len(s.Properties) == 0 {
		return docsInlineProps(s.Items)
	}
	return docsProps(ref.Value)
}

func newDocsSchema(name string, ref *openapi3.SchemaRef) docsSchema {
	d := docsSchema{Name: name, ID: "schema-" + docsAnchor(name), Type: docsType(&openapi3.SchemaRef{Value: ref.Value})}
	if ref.Ref != "" {
		d.Type = docsType(ref)
	}
	if s := ref.Value; s != nil {
		d.Description = docsMarkdown(s.Description)
		for _, e := range s.Enum {
			d.Enum = append(d.Enum, fmt.Sprint(e))
		}
		d.Props = docsProps(s)
		if len(s.Properties) > 0 && len(s.AllOf) == 0 {
			d.Type = "object" // the table below lists the properties
			if s.Nullable {
				d.Type += ", nullable"
			}
		}
	}
	return d
}

// docsProps lists s's properties by name, with those of inline allOf parts.
func docsProps(s *openapi3.Schema) []docsField {
	var out []docsField
	add := func(s *openapi3.Schema) {
		for _, name := range docsKeys(s.Properties) {
			p := s.Properties[name]
			f := docsField{Name: name, Type: docsType(p), Required: slices.Contains(s.Required, name)}
			if p.Value != nil {
				f.Description = docsMarkdown(p.Value.Description)
				f.Notes = strings.Join(docsNotes(p, p.Value.Deprecated), "; ")
			}
			out = append(out, f)
		}
	}
	add(s)
	for _, part := range s.AllOf {
		if part.Ref == "" && part.Value != nil {
			add(part.Value)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// docsType describes a schema in a few words, linking named components.
func docsType(ref *openapi3.SchemaRef) template.HTML {
	if ref == nil {
		return "any"
	}
	if name, ok := strings.CutPrefix(ref.Ref, "#/components/schemas/"); ok {
		return template.HTML(`<a href="#schema-` + docsAnchor(name) + `">` + template.HTMLEscapeString(name) + `</a>`)
	}
	if ref.Ref != "" {
		return template.HTML(`<code>` + template.HTMLEscapeString(ref.Ref) + `</code>`)
	}
	s := ref.Value
	if s == nil {
		return "any"
	}
	var t string
	join := func(word string, parts openapi3.SchemaRefs) string {
		names := make([]string, len(parts))
		for i, p := range parts {
			names[i] = string(docsType(p))
		}
		if len(names) == 1 && word == "all of" {
			return names[0]
		}
		return word + " " + strings.Join(names, " | ")
	}
	switch {
	case len(s.AllOf) > 0:
		t = join("all of", s.AllOf)
	case len(s.OneOf) > 0:
		t = join("one of", s.OneOf)
	case len(s.AnyOf) > 0:
		t = join("any of", s.AnyOf)
	case s.Type.Is("array"):
		t = "array of " + string(docsType(s.Items))
	case s.Type.Is("object") || (s.Type.IsEmpty() && len(s.Properties) > 0):
		t = "object"
		if a := s.AdditionalProperties; len(s.Properties) == 0 && a.Schema != nil {
			t = "map of string to " + string(docsType(a.Schema))
		} else if len(s.Properties) > 0 {
			t = "object {" + template.HTMLEscapeString(strings.Join(docsKeys(s.Properties), ", ")) + "}"
		}
	case s.Type.IsEmpty():
		t = "any"
	default:
		t = template.HTMLEscapeString(strings.Join(s.Type.Slice(), " | "))
		if s.Format != "" {
			t += " (" + template.HTMLEscapeString(s.Format) + ")"
		}
	}
	if s.Nullable {
		t += ", nullable"
	}
	return template.HTML(t)
}

// docsNotes lists a schema's constraints for the notes column.
func docsNotes(ref *openapi3.SchemaRef, deprecated bool) []string {
	var n []string
	if deprecated {
		n = append(n, "deprecated")
	}
	if ref == nil || ref.Ref != "" || ref.Value == nil {
		return n
	}
	s := ref.Value
	if len(s.Enum) > 0 {
		vals := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			vals[i] = fmt.Sprint(e)
		}
		n = append(n, "one of: "+strings.Join(vals, ", "))
	}
	if s.Default != nil {
		n = append(n, fmt.Sprint("default ", s.Default))
	}
	if s.Min != nil {
		n = append(n, fmt.Sprint("minimum ", *s.Min))
	}
	if s.Max != nil {
		n = append(n, fmt.Sprint("maximum ", *s.Max))
	}
	if s.MinLength > 0 {
		n = append(n, fmt.Sprint("min length ", s.MinLength))
	}
	if s.MaxLength != nil {
		n = append(n, fmt.Sprint("max length ", *s.MaxLength))
	}
	if s.MinItems > 0 {
		n = append(n, fmt.Sprint("min items ", s.MinItems))
	}
	if s.MaxItems != nil {
		n = append(n, fmt.Sprint("max items ", *s.MaxItems))
	}
	if s.Pattern != "" {
		n = append(n, "pattern "+s.Pattern)
	}
	if s.ReadOnly {
		n = append(n, "read-only")
	}
	if s.WriteOnly {
		n = append(n, "write-only")
	}
	return n
}

// docsMarkdown renders the little Markdown the contract uses: paragraphs,
// "- " lists and `code`. Every piece of text is escaped.
func docsMarkdown(s string) template.HTML {
	var b strings.Builder
	for _, block := range strings.Split(strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")), "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		if lines[0] == "" {
			continue
		}
		if !strings.HasPrefix(lines[0], "- ") {
			b.WriteString("<p>" + docsInline(strings.Join(lines, " ")) + "</p>")
			continue
		}
		var items []string
		for _, l := range lines {
			if l = strings.TrimSpace(l); strings.HasPrefix(l, "- ") || len(items) == 0 {
				items = append(items, strings.TrimPrefix(l, "- "))
			} else {
				items[len(items)-1] += " " + l
			}
		}
		b.WriteString("<ul>")
		for _, it := range items {
			b.WriteString("<li>" + docsInline(it) + "</li>")
		}
		b.WriteString("</ul>")
	}
	return template.HTML(b.String())
}

func docsInline(s string) string {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // an unmatched backtick stays literal
		parts[len(parts)-2] += "`" + parts[len(parts)-1]
		parts = parts[:len(parts)-1]
	}
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 {
			b.WriteString("<code>" + template.HTMLEscapeString(p) + "</code>")
		} else {
			b.WriteString(template.HTMLEscapeString(p))
		}
	}
	return b.String()
}

// docsAnchor turns a name into a fragment id.
func docsAnchor(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			return r
		}
		return '-'
	}, s)
}

func docsNonEmpty(ss ...string) []string {
	return slices.DeleteFunc(ss, func(s string) bool { return s == "" })
}

func docsKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var docsTemplate = template.Must(template.New("docs").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}{{with .Version}} {{.}}{{end}}</title>
<style>
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;--link:#0969da}
*{box-sizing:border-box}
body{margin:0;font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--soft);padding:1px 4px;border-radius:4px}
.layout{display:grid;grid-template-columns:300px minmax(0,1fr)}
nav{position:sticky;top:0;height:100vh;overflow:auto;border-right:1px solid var(--line);background:var(--soft);padding:16px;font-size:13px}
nav ul{list-style:none;margin:0;padding:0}nav li{margin:2px 0}nav ul ul{margin:2px 0 10px 4px}
nav .group{font-weight:600;text-transform:capitalize}
nav .brand{font-weight:700;font-size:16px;margin:0 0 12px}
main{padding:24px 40px 80px;max-width:1060px}
h1{margin:0 0 4px}h2{margin:48px 0 8px;padding-bottom:6px;border-bottom:2px solid var(--line);text-transform:capitalize}
h3{margin:0 0 6px;font-size:17px}h4{margin:16px 0 6px;font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.meta,.opid,.notes{color:var(--muted);font-size:13px}.notes{margin:4px 0 0}
.op,.schema{border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin:16px 0}
.summary{font-weight:600;margin:4px 0}
.m{display:inline-block;min-width:64px;text-align:center;font:700 12px/20px ui-monospace,monospace;color:#fff;border-radius:4px;padding:0 6px;background:#6e7781}
.m-GET{background:#0969da}.m-POST{background:#1a7f37}.m-PUT{background:#9a6700}.m-PATCH{background:#8250df}.m-DELETE{background:#cf222e}
nav .m{min-width:50px;font-size:10px;line-height:16px}
.path{font-size:15px;background:none;padding:0}
.badge{display:inline-block;font-size:11px;border-radius:10px;padding:0 8px;margin-left:6px;border:1px solid var(--line);color:var(--muted);vertical-align:middle}
.dep{border-color:#cf222e;color:#cf222e}
.req{color:#cf222e;font-size:11px;font-weight:600}
table{width:100%;border-collapse:collapse;margin:6px 0;font-size:14px}
th,td{text-align:left;vertical-align:top;border-top:1px solid var(--line);padding:6px 8px}
th{font-size:12px;color:var(--muted);font-weight:600;border-top:none}
td p,td ul{margin:0 0 4px}
.st{font:700 13px ui-monospace,monospace;padding:1px 6px;border-radius:4px;background:var(--soft)}
.s2{color:#1a7f37}.s3{color:#9a6700}.s4{color:#bc4c00}.s5{color:#cf222e}
.media{margin:4px 0}
@media (max-width:860px){.layout{display:block}nav{position:static;height:auto;border-right:none;border-bottom:1px solid var(--line)}main{padding:16px}}
</style>
</head>
<body>
<div class="layout">
<nav>
<p class="brand">{{.Title}}</p>
<ul>
{{- range .Tags}}
<li><a class="group" href="#{{.ID}}">{{.Name}}</a><ul>
{{- range .Ops}}<li><a href="#{{.ID}}"><span class="m m-{{.Method}}">{{.Method}}</span> {{.Path}}</a></li>{{end}}
</ul></li>
{{- end}}
<li><a class="group" href="#schemas">Schemas</a></li>
</ul>
</nav>
<main>
<header>
<h1>{{.Title}}</h1>
<p class="meta">{{with .Version}}Version {{.}} · {{end}}{{with .OpenAPI}}OpenAPI {{.}} · {{end}}machine-readable contract: <a href="/openapi.yaml">/openapi.yaml</a></p>
{{.Description}}
{{- with .Servers}}<h4>Servers</h4><ul>{{range .}}<li><code>{{.URL}}</code>{{with .Description}} — {{.}}{{end}}</li>{{end}}</ul>{{end}}
{{- with .Auth}}<h4>Authentication</h4><ul>{{range .}}<li>{{.}}</li>{{end}}</ul><p class="meta">Operations marked “no token” need no <code>Authorization</code> header.</p>{{end}}
{{- if or .Contact .License}}<p class="meta">{{with .Contact}}Contact: {{.}}{{end}}{{if and .Contact .License}} · {{end}}{{with .License}}License: {{.}}{{end}}</p>{{end}}
</header>
{{range .Tags}}
<section id="{{.ID}}">
<h2>{{.Name}}</h2>
{{.Description}}
{{- range .Ops}}
<section class="op" id="{{.ID}}">
<h3><span class="m m-{{.Method}}">{{.Method}}</span> <code class="path">{{.Path}}</code>
{{- if .Public}} <span class="badge">no token</span>{{end}}{{if .Deprecated}} <span class="badge dep">deprecated</span>{{end}}</h3>
{{with .Summary}}<p class="summary">{{.}}</p>{{end}}
{{.Description}}
{{- with .OperationID}}<p class="opid">operationId <code>{{.}}</code></p>{{end}}
{{- with .Params}}
<h4>Parameters</h4>
<table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr></thead><tbody>
{{- range .}}
<tr><td><code>{{.Name}}</code>{{if .Required}} <span class="req">required</span>{{end}}</td><td>{{.In}}</td><td>{{.Type}}</td><td>{{.Description}}{{with .Notes}}<p class="notes">{{.}}</p>{{end}}</td></tr>
{{- end}}
</tbody></table>
{{- end}}
{{- with .Body}}
<h4>Request body{{if .Required}} <span class="req">required</span>{{end}}</h4>
{{.Description}}
{{- range .Media}}{{template "media" .}}{{end}}
{{- end}}
<h4>Responses</h4>
<table><thead><tr><th>Status</th><th>Description</th></tr></thead><tbody>
{{- range .Responses}}
<tr><td><span class="st {{.Class}}">{{.Status}}</span></td><td>{{.Description}}
{{- range .Media}}{{template "media" .}}{{end}}
{{- with .Headers}}<p class="notes">Headers: {{range $i, $h := .}}{{if $i}}, {{end}}<code>{{$h}}</code>{{end}}</p>{{end}}</td></tr>
{{- end}}
</tbody></table>
</section>
{{- end}}
</section>
{{end}}
<section id="schemas">
<h2>Schemas</h2>
{{- range .Schemas}}
<section class="schema" id="{{.ID}}">
<h3>{{.Name}}</h3>
<p class="meta">{{.Type}}</p>
{{.Description}}
{{- with .Enum}}<p>One of: {{range $i, $e := .}}{{if $i}}, {{end}}<code>{{$e}}</code>{{end}}</p>{{end}}
{{- with .Props}}{{template "props" .}}{{end}}
</section>
{{- end}}
</section>
</main>
</div>
</body>
</html>
{{define "media"}}<div class="media"><code>{{.Type}}</code>{{with .Schema}} {{.}}{{end}}</div>{{with .Props}}{{template "props" .}}{{end}}{{end}}
{{define "props"}}<table><thead><tr><th>Property</th><th>Type</th><th>Description</th></tr></thead><tbody>
{{- range .}}
<tr><td><code>{{.Name}}</code>{{if .Required}} <span class="req">required</span>{{end}}</td><td>{{.Type}}</td><td>{{.Description}}{{with .Notes}}<p class="notes">{{.}}</p>{{end}}</td></tr>
{{- end}}
</tbody></table>{{end}}
`))
