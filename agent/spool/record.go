package spool

import (
	"encoding/binary"
	"hash/crc32"
)

// A record on disk is a 12-byte header and a payload:
//
//	magic   uint32  "VSP1"; lets a scan find the next record after damage
//	length  uint32  payload bytes
//	crc     uint32  CRC-32C of the payload
//	payload: seq uint64 | created unix ns int64 | results uint32 |
//	         id length uint16 | id | data
//
// Integers are little-endian. The length and CRC together detect both a
// torn tail (length runs past the end of the file) and a flipped bit.
const (
	magic      = 0x31505356 // "VSP1" little-endian
	headerSize = 12
	fixedSize  = 8 + 8 + 4 + 2
	// maxPayload refuses absurd lengths during a scan; batches are at most
	// result.MaxBatchBytes (512 KiB), so 16 MiB is far beyond any real one.
	maxPayload = 16 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// rec is a decoded record.
type rec struct {
	seq     uint64
	created int64
	results int
	id      string
	data    []byte
}

// encode frames r for appending.
func encode(r *rec) []byte {
	n := fixedSize + len(r.id) + len(r.data)
	b := make([]byte, headerSize+n)
	p := b[headerSize:]
	binary.LittleEndian.PutUint64(p[0:], r.seq)
	binary.LittleEndian.PutUint64(p[8:], uint64(r.created))
	binary.LittleEndian.PutUint32(p[16:], uint32(r.results))
	binary.LittleEndian.PutUint16(p[20:], uint16(len(r.id)))
	copy(p[fixedSize:], r.id)
	copy(p[fixedSize+len(r.id):], r.data)
	binary.LittleEndian.PutUint32(b[0:], magic)
	binary.LittleEndian.PutUint32(b[4:], uint32(n))
	binary.LittleEndian.PutUint32(b[8:], crc32.Checksum(p, castagnoli))
	return b
}

// decodeAt parses the record starting at buf[off:]. It returns the record
// and its framed size, or ok=false if there is no intact record there.
func decodeAt(buf []byte, off int) (r rec, size int, ok bool) {
	if off+headerSize > len(buf) || binary.LittleEndian.Uint32(buf[off:]) != magic {
		return rec{}, 0, false
	}
	n := int(binary.LittleEndian.Uint32(buf[off+4:]))
	if n < fixedSize || n > maxPayload || off+headerSize+n > len(buf) {
		return rec{}, 0, false
	}
	p := buf[off+headerSize : off+headerSize+n]
	if crc32.Checksum(p, castagnoli) != binary.LittleEndian.Uint32(buf[off+8:]) {
		return rec{}, 0, false
	}
	idLen := int(binary.LittleEndian.Uint16(p[20:]))
	if fixedSize+idLen > n {
		return rec{}, 0, false
	}
	r = rec{
		seq:     binary.LittleEndian.Uint64(p[0:]),
		created: int64(binary.LittleEndian.Uint64(p[8:])),
		results: int(binary.LittleEndian.Uint32(p[16:])),
		id:      string(p[fixedSize : fixedSize+idLen]),
		data:    p[fixedSize+idLen:],
	}
	return r, headerSize + n, true
}

// scanned is what a scan of one segment found.
type scanned struct {
	recs []located
	// end is where intact data ends: bytes after it belong to no record
	// that a later intact record follows (a torn tail, in the last segment).
	end int
	// corrupt counts damaged regions skipped between intact records.
	corrupt int
}

type located struct {
	rec
	off, size int
}

// scan walks buf record by record. After damage it searches forward for the
// next intact record (magic, sane length, matching CRC) and counts the
// skipped region as one corrupt record: a bad length field cannot say how
// many records it swallowed.
func scan(buf []byte) scanned {
	var s scanned
	off := 0
	for off < len(buf) {
		if r, n, ok := decodeAt(buf, off); ok {
			r.data = nil // the index keeps offsets, not bytes
			s.recs = append(s.recs, located{r, off, n})
			off += n
			continue
		}
		next := -1
		for q := off + 1; q+headerSize <= len(buf); q++ {
			if _, _, ok := decodeAt(buf, q); ok {
				next = q
				break
			}
		}
		if next < 0 {
			s.end = off
			return s
		}
		s.corrupt++
		off = next
	}
	s.end = off
	return s
}
