// Package places ranks places to fix: grid cells scored by weak coverage
// (controller/coverage), complaint density and repeat complaints
// (controller/complaints' counts per cell) and where our network is behind
// a competitor's (controller/compare), each reason listed with the points
// it added. The weights (weights.go) are chosen so that weak coverage
// confirmed by complaints outranks either alone, and a cell collecting
// weak-signal and repeat complaints rises with every one of them, long
// before it reaches dozens.
package places
