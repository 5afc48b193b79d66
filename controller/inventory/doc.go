// Package inventory is the controller's picture of the operator's customers
// and network: customers and their tiers, contacts, sites, the tree of
// upstream elements (PoP → router → card → port) and the dedicated lines that
// hang from it.
//
// Operators keep this data in CRM and resource systems; they export it as
// YAML or CSV and load it with `vantage-controller inventory import FILE`
// (ImportCommand). Parsing (ParseYAML, ParseCSV) turns a file into a Set and
// reports every bad row with file, line and field; Store.Import checks the
// Set against what the database already holds and writes it in one
// transaction, so a file goes in whole or not at all, and a re-import of the
// same file changes nothing.
//
// The detector and the API read the inventory through Store: which customer
// owns a line, which lines hang below a card, and the lowest element shared by
// lines that failed together (the root of one incident).
package inventory
