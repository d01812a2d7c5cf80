package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// realClockAllowed are the only non-test files that may read the real clock:
// run wires the program's one clock here, and the load generator and the
// scale benchmark are separate programs that time a server from outside.
var realClockAllowed = map[string]bool{
	"api/cmd/consenso/main.go":       true,
	"api/cmd/consenso-load/main.go":  true,
	"api/cmd/consenso-scale/main.go": true,
}

// TestOneClock fails when non-test code reads the real clock (time.Now,
// time.Since, time.Until) anywhere but where run wires the program's clock.
// Two clocks deciding one question made the suite fail on a date once.
func TestOneClock(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	fset := token.NewFileSet()
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == ".git" || name == "node_modules" || name == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if realClockAllowed[rel] {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, use := range realClockReads(f) {
			found = append(found, rel+":"+strconv.Itoa(fset.Position(use.Pos()).Line)+": time."+use.Sel.Name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Errorf("the real clock is read outside run; take \"now\" from the injected clock instead:\n%s", strings.Join(found, "\n"))
	}
}

// realClockReads returns every reference to time.Now, time.Since or
// time.Until in f (calls and function values alike), whatever name the
// time package is imported under.
func realClockReads(f *ast.File) []*ast.SelectorExpr {
	name := ""
	for _, imp := range f.Imports {
		if imp.Path.Value == `"time"` {
			name = "time"
			if imp.Name != nil {
				name = imp.Name.Name
			}
		}
	}
	if name == "" {
		return nil
	}
	var uses []*ast.SelectorExpr
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && id.Name == name {
			switch sel.Sel.Name {
			case "Now", "Since", "Until":
				uses = append(uses, sel)
			}
		}
		return true
	})
	return uses
}

// TestOneClockFindsReads keeps the walk honest: it must see a read of the
// real clock however it is written.
func TestOneClockFindsReads(t *testing.T) {
	src := `package p
import clk "time"
var now = clk.Now
func f() { _ = clk.Since(now()); _ = clk.Until(now()) }`
	f, err := parser.ParseFile(token.NewFileSet(), "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(realClockReads(f)); got != 3 {
		t.Fatalf("found %d reads of the real clock, want 3", got)
	}
}
