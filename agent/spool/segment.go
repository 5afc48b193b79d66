package spool

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// segment is one append-only file of records. Files are named by a counter
// (00000000000000000001.seg, …) so that name order is append order.
type segment struct {
	id   uint64
	path string
	f    *os.File
	size int64
	// live counts records in the segment neither acknowledged nor dropped;
	// at zero the file is deleted, unless it is the one being appended to.
	live int
}

const segSuffix = ".seg"

func segPath(dir string, id uint64) string {
	return filepath.Join(dir, fmt.Sprintf("%020d%s", id, segSuffix))
}

// listSegments returns the segment ids in dir, oldest first.
func listSegments(dir string) ([]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var ids []uint64
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, segSuffix) {
			continue
		}
		id, err := strconv.ParseUint(strings.TrimSuffix(name, segSuffix), 10, 64)
		if err != nil {
			continue // not ours; leave it alone
		}
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// createSegment starts an empty segment file.
func createSegment(dir string, id uint64) (*segment, error) {
	p := segPath(dir, id)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	return &segment{id: id, path: p, f: f}, nil
}

// syncDir makes file creations and removals in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
