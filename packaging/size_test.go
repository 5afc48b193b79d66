package packaging

import "testing"

// TestAgentSizeBudgetMipsle cross-builds the agent exactly as `make dist`
// does for the smallest boxes (mipsle, softfloat, stripped) and holds it to
// size-budget.txt. CI runs it in make test; the other targets are checked
// by `make size-check`.
func TestAgentSizeBudgetMipsle(t *testing.T) {
	bin := built(t, "vantage-agent", "mipsle")
	b, err := LoadBudget("size-budget.txt")
	if err != nil {
		t.Fatal(err)
	}
	tg, _ := Find("vantage-agent", "mipsle")
	size, err := b.Check(tg, bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d bytes (budget %d)", tg.Name(), size, b[tg.Name()])
}
