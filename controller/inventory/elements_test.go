package inventory

import (
	"context"
	"reflect"
	"testing"
)

// Paths built from one Elements query equal ElementPath's, element by element.
func TestPathsMatchElementPath(t *testing.T) {
	s := cardTree(t)
	ctx := context.Background()
	all, err := s.Elements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 10 {
		t.Fatalf("the card tree has %d elements", len(all))
	}
	paths := Paths(all)
	for _, e := range all {
		want, err := s.ElementPath(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(paths[e.ID], want) {
			t.Errorf("Paths[%s] = %v, ElementPath = %v", e.ID, ids(paths[e.ID]), ids(want))
		}
	}
}

// A cycle (a hand-edited database) ends the walk instead of looping.
func TestPathsStopAtACycle(t *testing.T) {
	p := Paths([]Element{{ID: "a", ParentID: "b"}, {ID: "b", ParentID: "a"}, {ID: "c", ParentID: "gone"}})
	if len(p["a"]) == 0 || len(p["a"]) > maxDepth+2 {
		t.Errorf("path of a cycle: %d elements", len(p["a"]))
	}
	if ids(p["c"]) != "c" {
		t.Errorf("an element whose parent is missing: %v", ids(p["c"]))
	}
}
