package partition

import (
	"hash/fnv"
	"sort"
)

// ResultsSubjectPrefix is the agents' results subject without the agent id
// (DESIGN.md: vantage.results.<agent_id>).
const ResultsSubjectPrefix = "vantage.results."

// Of is the partition of a PoP among n: a stable hash, so every controller
// computes the same partition from the same inventory.
func Of(pop string, n int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(pop))
	return int(h.Sum32() % uint32(n))
}

// Map says which partition each line and each agent belongs to. It is
// built from the inventory (FromInventory) and is read-only afterwards.
type Map struct {
	n      int
	line   map[string]int                 // line → partition (of its PoP)
	pop    map[string]string              // line → PoP
	home   map[string]int                 // agent → home partition
	watch  map[string]map[string]struct{} // agent → lines it is assigned to watch
	agents [][]string                     // partition → its agents, sorted
	// Foreign counts, per agent, the lines it watches outside its home
	// partition: their evidence reaches no detector (package doc).
	Foreign map[string]int
}

// NewMap builds a map of n partitions from each line's PoP (a line with
// no element tree is its own PoP) and the lines each agent watches.
// Agents in agents that watch no line are homed by their id, so their
// results (SNMP, hotspot tests) are still written by exactly one
// partition.
func NewMap(n int, linePoP map[string]string, watched map[string][]string, agents []string) *Map {
	m := &Map{n: n, line: make(map[string]int, len(linePoP)), pop: linePoP, home: map[string]int{},
		agents: make([][]string, n), Foreign: map[string]int{}, watch: make(map[string]map[string]struct{}, len(watched))}
	for l, pop := range linePoP {
		if pop == "" {
			pop = l
		}
		m.line[l] = Of(pop, n)
	}
	for a, lines := range watched {
		count := make([]int, n)
		m.watch[a] = make(map[string]struct{}, len(lines))
		for _, l := range lines {
			m.watch[a][l] = struct{}{}
			if p, ok := m.line[l]; ok {
				count[p]++
			}
		}
		best := -1
		for p, c := range count {
			if c > 0 && (best < 0 || c > count[best]) {
				best = p
			}
		}
		if best < 0 {
			continue // watches nothing the inventory knows: homed below
		}
		m.home[a] = best
		total := 0
		for _, c := range count {
			total += c
		}
		if f := total - count[best]; f > 0 {
			m.Foreign[a] = f
		}
	}
	for _, a := range agents {
		if _, ok := m.home[a]; !ok {
			m.home[a] = Of("agent:"+a, n)
		}
	}
	for a, p := range m.home {
		m.agents[p] = append(m.agents[p], a)
	}
	for p := range m.agents {
		sort.Strings(m.agents[p])
	}
	return m
}

// N is the number of partitions.
func (m *Map) N() int { return m.n }

// Line is the partition of a line, if the inventory knows it.
func (m *Map) Line(line string) (int, bool) {
	p, ok := m.line[line]
	return p, ok
}

// Watches reports whether agent is assigned to watch line: only then is
// its result evidence for the line (as controller/evidence decides for
// one controller).
func (m *Map) Watches(agent, line string) bool {
	_, ok := m.watch[agent][line]
	return ok
}

// PoP is the top of a line's element tree ("" if it has none).
func (m *Map) PoP(line string) string { return m.pop[line] }

// Home is an agent's home partition, if the map knows the agent.
func (m *Map) Home(agent string) (int, bool) {
	p, ok := m.home[agent]
	return p, ok
}

// Subjects are the results subjects of the agents homed in partition p:
// the filter of its consumer. Partitions' subjects never overlap.
func (m *Map) Subjects(p int) []string {
	out := make([]string, len(m.agents[p]))
	for i, a := range m.agents[p] {
		out[i] = ResultsSubjectPrefix + a
	}
	return out
}

// DesiredOwner is the member that should own partition p: the
// rendezvous (highest random weight) choice, so every member computes the same answer from the same list,
// and a member joining or leaving moves only the partitions it wins or
// held.
func DesiredOwner(p int, members []string) string {
	var best string
	var bestScore uint64
	for _, m := range members {
		h := fnv.New64a()
		_, _ = h.Write([]byte(m))
		_, _ = h.Write([]byte{0, byte(p >> 8), byte(p)})
		s := mix(h.Sum64())
		if best == "" || s > bestScore || (s == bestScore && m < best) {
			best, bestScore = m, s
		}
	}
	return best
}

// mix is SplitMix64's finaliser: FNV's high bits vary too little between
// ids that differ in their last byte.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
