package probes

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// descriptorPackages walks the probe packages (probes/*/) and returns the
// name of every package that declares a package-level `var Descriptor`:
// the probe types that exist in code, whether or not anyone registered them.
func descriptorPackages(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*/*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		if declaresDescriptor(f) {
			out = append(out, filepath.Dir(name))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func declaresDescriptor(f *ast.File) bool {
	for _, decl := range f.Decls {
		g, ok := decl.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, s := range g.Specs {
			for _, n := range s.(*ast.ValueSpec).Names {
				if n.Name == "Descriptor" {
					return true
				}
			}
		}
	}
	return false
}

// TestRegistryMatchesProbePackages: every probe package with a Descriptor is
// registered, under its own package name, with its own Descriptor; nothing
// else is registered. Issue 9: probes/snmp had a Descriptor nobody
// registered, so `type: snmp` was refused everywhere.
func TestRegistryMatchesProbePackages(t *testing.T) {
	code := descriptorPackages(t)
	if !slices.Equal(code, Types()) {
		t.Fatalf("probe packages with a Descriptor %v, registry %v: register each in probes/registry.go (and only those)", code, Types())
	}
	for _, typ := range code {
		d, _ := Lookup(typ)
		if d.New == nil || d.Measurement == "" {
			t.Errorf("%s: descriptor without New or Measurement", typ)
			continue
		}
		// The type's constructor must come from the package of that name, so
		// "snmp" cannot be wired to another package's descriptor.
		fn := runtime.FuncForPC(reflect.ValueOf(d.New).Pointer()).Name()
		if want := "/probes/" + typ + "."; !strings.Contains(fn, want) {
			t.Errorf("type %q builds with %s, not from probes/%s", typ, fn, typ)
		}
	}
}
