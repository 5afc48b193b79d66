package fleetsim

import (
	"bufio"
	"fmt"
	"os"
)

// WriteInventory writes the plan's customers, elements (PoP → router →
// card → port, the PoP naming its agent, so its results are evidence for
// the lines below) and lines as an inventory YAML file for
// `vantage-controller inventory import`.
func (p *Plan) WriteInventory(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "customers:")
	seen := map[string]bool{}
	for _, l := range p.Lines {
		if !seen[l.Customer] {
			seen[l.Customer] = true
			fmt.Fprintf(w, "  - {id: %s, name: Sim customer %s, tier: gold, account_manager: am-sim}\n", l.Customer, l.Customer)
		}
	}
	fmt.Fprintln(w, "elements:")
	for _, a := range p.Agents {
		fmt.Fprintf(w, "  - {id: %s, kind: pop, name: PoP %s, agent: %s}\n", a.PoP, a.PoP, a.ID)
		fmt.Fprintf(w, "  - {id: %s-pe, parent: %s, kind: router, name: PE %s}\n", a.PoP, a.PoP, a.PoP)
		cards := map[string]bool{}
		for _, l := range a.Lines {
			if !cards[l.Card] {
				cards[l.Card] = true
				fmt.Fprintf(w, "  - {id: %s, parent: %s-pe, kind: card, name: card %s}\n", l.Card, a.PoP, l.Card)
			}
			fmt.Fprintf(w, "  - {id: %s-p, parent: %s, kind: port, name: port %s}\n", l.ID, l.Card, l.ID)
		}
	}
	fmt.Fprintln(w, "lines:")
	for _, l := range p.Lines {
		fmt.Fprintf(w, "  - {circuit_id: %s, customer: %s, upstream_element: %s-p}\n", l.ID, l.Customer, l.ID)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
