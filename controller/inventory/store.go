package inventory

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Store is the inventory's storage: the embedded SQLite database today
// (SQLStore), a PostgreSQL backend later. Lookups of an unknown id return an
// error wrapping ErrNotFound.
type Store interface {
	// Import checks set against the stored inventory and writes it in one
	// transaction: all of it, or nothing and *Errors.
	Import(ctx context.Context, set *Set, opts ImportOptions) (Counts, error)

	Customer(ctx context.Context, id string) (Customer, error)
	// Customers lists customers ordered by id, after the id page.After.
	Customers(ctx context.Context, page Page) ([]Customer, error)
	CustomersOfAccountManager(ctx context.Context, manager string) ([]Customer, error)
	ContactsOfCustomer(ctx context.Context, customerID string) ([]Contact, error)
	Site(ctx context.Context, id string) (Site, error)

	Line(ctx context.Context, circuitID string) (Line, error)
	// Lines lists lines ordered by circuit id, after the id page.After.
	Lines(ctx context.Context, page Page) ([]Line, error)
	LinesOfCustomer(ctx context.Context, customerID string) ([]Line, error)
	// LinesUnder lists the lines hanging from the element or anything below it.
	LinesUnder(ctx context.Context, elementID string) ([]Line, error)

	Element(ctx context.Context, id string) (Element, error)
	// ElementPath is the element and its ancestors, root first.
	ElementPath(ctx context.Context, elementID string) ([]Element, error)
	// LowestCommonElement is the deepest element every given line hangs
	// below: the root of an incident. ok is false when the lines share no
	// element (different PoPs) or one of them has no upstream element.
	LowestCommonElement(ctx context.Context, circuitIDs ...string) (e Element, ok bool, err error)

	// Assignments lists every site that names an agent, ordered by agent
	// and site, with the lines that start there and have a probe address,
	// every agent a line names as a watcher (z_end_site, watchers), with
	// the lines it watches from their far end, and every agent an element
	// names, with the SNMP devices it polls: what each managed agent must
	// watch.
	Assignments(ctx context.Context) ([]Assignment, error)
	// LinesWatchedFromNetwork lists the lines below the elements that name
	// agent (see SQLStore.LinesWatchedFromNetwork).
	LinesWatchedFromNetwork(ctx context.Context, agent string) ([]string, error)
	// WatchedLines maps every agent to the lines it is assigned to watch:
	// those starting at its site and those it watches from the network
	// side. Line health takes evidence only from these (controller/evidence).
	WatchedLines(ctx context.Context) (*Watched, error)
}

// Assignment is one managed agent's share of the inventory.
type Assignment struct {
	Agent string
	// Site is where the agent runs; zero for an agent named only by an
	// element (a network-side agent at a PoP).
	Site Site
	// Lines are ordered by circuit id; each has a ProbeAddress.
	Lines []Line
	// Watches are the lines the agent watches from their far end (it is
	// their z_end_site's agent or one of their watchers), ordered by
	// circuit id; each has a WatchAddress, which the agent pings.
	Watches []Line
	// Devices are the SNMP devices the agent polls, ordered by element id.
	Devices []SNMPDevice
}

// Page asks for part of a long list (50,000 lines) by keyset: the rows after
// the id After, at most Limit of them (default and cap 1000).
type Page struct {
	After string
	Limit int
}

func (p Page) limit() int {
	if p.Limit <= 0 || p.Limit > 1000 {
		return 1000
	}
	return p.Limit
}

// ImportOptions tunes Store.Import.
type ImportOptions struct {
	// DryRun checks everything and counts what would change, then writes
	// nothing.
	DryRun bool
	// Progress, if set, is called while rows are written: every
	// ProgressEvery rows (default 5000) or ProgressInterval (default 2s),
	// whichever comes first, and once at the end.
	Progress         func(Progress)
	ProgressEvery    int
	ProgressInterval time.Duration
}

// Progress says how far an import has come.
type Progress struct {
	File        string
	Done, Total int // rows written so far / rows in the file
}

// Tally counts one kind's rows in an import.
type Tally struct {
	Created, Updated, Unchanged int
}

// Counts is what an import did, per kind.
type Counts map[Kind]Tally

// Changed is the number of rows created or updated.
func (c Counts) Changed() int {
	n := 0
	for _, t := range c {
		n += t.Created + t.Updated
	}
	return n
}

// String reads "customers 3 created, 0 updated, 1 unchanged; lines …",
// listing the kinds present in write order.
func (c Counts) String() string {
	var parts []string
	for _, k := range Kinds {
		if t, ok := c[k]; ok {
			parts = append(parts, fmt.Sprintf("%s %d created, %d updated, %d unchanged", k, t.Created, t.Updated, t.Unchanged))
		}
	}
	if len(parts) == 0 {
		return "no rows"
	}
	return strings.Join(parts, "; ")
}
