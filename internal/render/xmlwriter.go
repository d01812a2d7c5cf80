package render

import (
	"bytes"
	"encoding/xml"
	"strings"
)

// xmlWriter streams tokens through encoding/xml, so every attribute and text
// is escaped by the standard library, while doing its own indentation:
// xml.Encoder.Indent would also indent inside mixed content such as
// <p>text<authorialNote/></p> and thereby change the text.
type xmlWriter struct {
	buf     bytes.Buffer
	enc     *xml.Encoder
	stack   []openElement
	inline  int  // > 0 while inside an element with mixed content
	started bool // the root element has been opened
	err     error
}

type openElement struct {
	name     xml.Name
	hasBlock bool // a child element was written on its own line
}

func newXMLWriter() *xmlWriter {
	w := &xmlWriter{}
	w.buf.WriteString(xml.Header)
	w.enc = xml.NewEncoder(&w.buf)
	return w
}

func (w *xmlWriter) token(t xml.Token) {
	if w.err == nil {
		w.err = w.enc.EncodeToken(t)
	}
}

// startLine puts the next tag on its own, indented line, except inside mixed
// content and before the root element (the header already ends the line).
func (w *xmlWriter) startLine() {
	if !w.started {
		w.started = true
		return
	}
	if w.inline > 0 {
		return
	}
	if len(w.stack) > 0 {
		w.stack[len(w.stack)-1].hasBlock = true
	}
	w.token(xml.CharData("\n" + strings.Repeat("  ", len(w.stack))))
}

// open starts an element; attrs are name/value pairs.
func (w *xmlWriter) open(name string, attrs ...string) { w.openName(xml.Name{Local: name}, attrs) }

func (w *xmlWriter) openName(name xml.Name, attrs []string) {
	w.startLine()
	w.token(xml.StartElement{Name: name, Attr: xmlAttrs(attrs)})
	w.stack = append(w.stack, openElement{name: name})
}

func xmlAttrs(pairs []string) []xml.Attr {
	var attrs []xml.Attr
	for i := 0; i+1 < len(pairs); i += 2 {
		attrs = append(attrs, xml.Attr{Name: xml.Name{Local: pairs[i]}, Value: pairs[i+1]})
	}
	return attrs
}

// openInline starts an element whose content is mixed text and elements;
// nothing inside it is indented.
func (w *xmlWriter) openInline(name string, attrs ...string) {
	w.open(name, attrs...)
	w.inline++
}

// close ends the innermost element, on a line of its own when it holds
// block children.
func (w *xmlWriter) close() {
	top := w.stack[len(w.stack)-1]
	w.stack = w.stack[:len(w.stack)-1]
	if top.hasBlock && w.inline == 0 {
		w.token(xml.CharData("\n" + strings.Repeat("  ", len(w.stack))))
	}
	w.token(xml.EndElement{Name: top.name})
}

func (w *xmlWriter) closeInline() {
	w.inline--
	w.close()
}

func (w *xmlWriter) text(s string) { w.token(xml.CharData(s)) }

// leaf writes an element holding only text.
func (w *xmlWriter) leaf(name, text string, attrs ...string) {
	w.open(name, attrs...)
	w.text(text)
	w.close()
}

// empty writes a self-closing element. encoding/xml cannot produce one, so
// the tag is written by hand, with attribute values escaped by xml.EscapeText.
func (w *xmlWriter) empty(name string, attrs ...string) {
	w.startLine()
	if w.err == nil {
		w.err = w.enc.Flush()
	}
	if w.err != nil {
		return
	}
	w.buf.WriteString("<" + name)
	for _, a := range xmlAttrs(attrs) {
		w.buf.WriteString(" " + a.Name.Local + `="`)
		// EscapeText writes to a bytes.Buffer, which cannot fail.
		_ = xml.EscapeText(&w.buf, []byte(a.Value))
		w.buf.WriteByte('"')
	}
	w.buf.WriteString("/>")
}

func (w *xmlWriter) bytes() ([]byte, error) {
	if w.err == nil {
		w.err = w.enc.Flush()
	}
	if w.err != nil {
		return nil, w.err
	}
	w.buf.WriteByte('\n')
	return w.buf.Bytes(), nil
}
