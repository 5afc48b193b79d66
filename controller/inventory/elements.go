package inventory

import "context"

// Elements lists every upstream element, ordered by id: one query for a
// reader that needs the whole tree (line health's inventory refresh walks
// 50,000 ports' paths in memory instead of 50,000 recursive queries).
func (s *SQLStore) Elements(ctx context.Context) ([]Element, error) {
	return list(ctx, s.db, scanElement, `SELECT `+elementCols+` FROM upstream_elements ORDER BY id`)
}

// Paths returns each element's path, root first, as ElementPath gives it,
// built from a list of every element (Elements). A parent the list lacks
// ends the path there, and a walk stops after maxDepth steps (a cycle in
// a hand-edited database).
func Paths(all []Element) map[string][]Element {
	byID := make(map[string]*Element, len(all))
	for i := range all {
		byID[all[i].ID] = &all[i]
	}
	out := make(map[string][]Element, len(all))
	var walk func(id string, depth int) []Element
	walk = func(id string, depth int) []Element {
		if p, ok := out[id]; ok {
			return p
		}
		e, ok := byID[id]
		if !ok {
			return nil
		}
		var up []Element
		if e.ParentID != "" && depth < maxDepth {
			up = walk(e.ParentID, depth+1)
		}
		p := append(append(make([]Element, 0, len(up)+1), up...), *e)
		out[id] = p
		return p
	}
	for i := range all {
		walk(all[i].ID, 0)
	}
	return out
}
