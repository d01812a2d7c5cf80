package render

import (
	"bytes"
	"encoding/xml"
)

// xmlWriter streams tokens through encoding/xml, so every name, attribute and
// text is escaped by the standard library, while doing its own indentation:
// xml.Encoder.Indent would also indent inside mixed content such as
// <p>text<authorialNote/></p> and thereby change the text.
type xmlWriter struct {
	buf    bytes.Buffer
	enc    *xml.Encoder
	stack  []openElement
	inline int // > 0 while inside an element with mixed content
	err    error
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

func (w *xmlWriter) indent() {
	if w.inline == 0 && len(w.stack) > 0 {
		w.token(xml.CharData("\n" + spaces(2*len(w.stack))))
	}
}

func spaces(n int) string { return string(bytes.Repeat([]byte{' '}, n)) }

// open starts a block element; attrs are name/value pairs.
func (w *xmlWriter) open(name string, attrs ...string) { w.openName(xml.Name{Local: name}, attrs) }

func (w *xmlWriter) openName(name xml.Name, attrs []string) {
	w.indent()
	if w.inline == 0 && len(w.stack) > 0 {
		w.stack[len(w.stack)-1].hasBlock = true
	}
	start := xml.StartElement{Name: name}
	for i := 0; i+1 < len(attrs); i += 2 {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: attrs[i]}, Value: attrs[i+1]})
	}
	w.token(start)
	w.stack = append(w.stack, openElement{name: name})
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
	if top.hasBlock {
		w.indent()
	}
	w.token(xml.EndElement{Name: top.name})
}

func (w *xmlWriter) closeInline() {
	w.inline--
	w.close()
}

func (w *xmlWriter) text(s string) { w.token(xml.CharData(s)) }

// leaf writes an element holding only text (or nothing).
func (w *xmlWriter) leaf(name, text string, attrs ...string) {
	w.open(name, attrs...)
	if text != "" {
		w.text(text)
	}
	w.close()
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
