package e2e

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// sequentialTests may run alone, each with its reason. Every other test of
// this package calls t.Parallel: the package is most of `make test`'s time,
// and its tests mostly wait on real clocks (horizons, cuts, restarts), so
// run one after another they took 17 minutes of CI's 30.
var sequentialTests = map[string]string{
	"TestWebUIOverview5000Lines":  "measures the overview's load time for docs/BENCHMARKS.md; alone, the figure means something",
	"TestEveryTestRunsInParallel": "reads source files only",
	"TestCauseLab":                "judges a cause from whether the other agent's rounds in the first 3 s of an outage all answered; beside five other lab tests on 2 cores one of them timed out and L2's final cause came out unknown (CI rehearsal 08:32)",
	"TestLinkCutAgentProcess":     "not a test: the agent process TestFaultLinkCut re-executes inside its namespace",
}

func TestEveryTestRunsInParallel(t *testing.T) {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Test") || fn.Body == nil {
				continue
			}
			if _, ok := sequentialTests[fn.Name.Name]; ok || callsParallel(fn.Body) {
				continue
			}
			t.Errorf("%s: %s does not call t.Parallel(); lab tests take host addresses from randomLink so they can run beside others (or list it in sequentialTests with a reason)",
				fset.Position(fn.Pos()), fn.Name.Name)
		}
	}
}

// callsParallel reports whether the body calls t.Parallel() at its top level
// (not only inside a subtest).
func callsParallel(body *ast.BlockStmt) bool {
	for _, st := range body.List {
		es, ok := st.(*ast.ExprStmt)
		if !ok {
			continue
		}
		call, ok := es.X.(*ast.CallExpr)
		if !ok {
			continue
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Parallel" {
			return true
		}
	}
	return false
}
