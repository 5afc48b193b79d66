package spool

import (
	"encoding/binary"
	"hash/crc32"
	"os"
)

// cursor says which records are gone (acknowledged or dropped) without
// rewriting segments: every seq <= acked, and every seq in (acked, dropped]
// except kept. kept is the head, which the sender may have in flight and so
// is never dropped (see Spool.dropOldest); when the head is acknowledged the
// cursor folds back to a single number.
type cursor struct {
	acked, kept, dropped uint64
}

const cursorSize = 3*8 + 4

// gone reports whether seq was acknowledged or dropped.
func (c cursor) gone(seq uint64) bool {
	return seq <= c.acked || (seq <= c.dropped && seq != c.kept)
}

func (c cursor) encode() []byte {
	b := make([]byte, cursorSize)
	binary.LittleEndian.PutUint64(b[0:], c.acked)
	binary.LittleEndian.PutUint64(b[8:], c.kept)
	binary.LittleEndian.PutUint64(b[16:], c.dropped)
	binary.LittleEndian.PutUint32(b[24:], crc32.Checksum(b[:24], castagnoli))
	return b
}

// readCursor returns the stored cursor; ok is false when the file is absent
// or damaged, and the caller then replays everything on disk (duplicates
// JetStream or InfluxDB absorb, rather than losses).
func readCursor(path string) (c cursor, ok bool, err error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return cursor{}, true, nil
	}
	if err != nil {
		return cursor{}, false, err
	}
	if len(b) != cursorSize || crc32.Checksum(b[:24], castagnoli) != binary.LittleEndian.Uint32(b[24:]) {
		return cursor{}, false, nil
	}
	return cursor{
		acked:   binary.LittleEndian.Uint64(b[0:]),
		kept:    binary.LittleEndian.Uint64(b[8:]),
		dropped: binary.LittleEndian.Uint64(b[16:]),
	}, true, nil
}
