// Package benchdoc carries a benchmark's figures from its run into
// docs/BENCHMARKS.md. A bench program ends by printing one summary line,
// "BENCH-SUMMARY {json}" (Emit): each figure with the reference measured in
// the same run, the machine (cores, memory, CPU model) and the exact
// command. `go run ./bench/benchdoc FILE…` reads those lines from the runs'
// saved output and rewrites, per bench, the generated block between
//
//	<!-- bench:NAME begin -->
//	<!-- bench:NAME end -->
//
// in the document, leaving the hand-written analysis around it untouched.
// A missing, repeated or unbalanced marker, or a summary with a missing or
// impossible field, is an error naming the file, line and field; nothing is
// written then.
package benchdoc
