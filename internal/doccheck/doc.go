// Package doccheck holds tests that keep README.md true to the code it
// describes: the layout table lists every Go package and nothing that is
// gone. It has no code of its own.
package doccheck
