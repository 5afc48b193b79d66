package writebehind

import (
	"encoding/binary"
	"errors"

	"github.com/vantage-net/vantage/controller/store/influx"
)

// A record's data is a pull's points as the ingest encoded them: the
// number of points n (uint32), each point's end offset (n × uint32, as
// influx.Batch keeps them, so a refused point can be bisected out without
// parsing line protocol), then the line protocol itself. Little-endian.
// The spool frames it with a CRC (agent/spool/record.go).

// maxRecordBytes keeps each record well under the spool's 16 MiB record
// limit; a larger pull is appended as several records.
const maxRecordBytes = 4 << 20

// recordOverhead is the spool's framing plus the id, for the bound check.
const recordOverhead = 12 + 22 + 20

// encodeRecords splits points [0, len(ends)) of buf into records of at
// most maxRecordBytes each (a single larger point gets its own record).
func encodeRecords(buf []byte, ends []int) [][]byte {
	var out [][]byte
	for lo := 0; lo < len(ends); {
		start := 0
		if lo > 0 {
			start = ends[lo-1]
		}
		hi := lo + 1
		for hi < len(ends) && ends[hi]-start+4*(hi-lo+2) <= maxRecordBytes {
			hi++
		}
		n := hi - lo
		rec := make([]byte, 4+4*n+ends[hi-1]-start)
		binary.LittleEndian.PutUint32(rec, uint32(n))
		for i := range n {
			binary.LittleEndian.PutUint32(rec[4+4*i:], uint32(ends[lo+i]-start))
		}
		copy(rec[4+4*n:], buf[start:ends[hi-1]])
		out = append(out, rec)
		lo = hi
	}
	return out
}

var errBadRecord = errors.New("record does not hold points")

// addRecord appends a record's points to b.
func addRecord(b *influx.Batch, rec []byte) error {
	if len(rec) < 4 {
		return errBadRecord
	}
	n := int(binary.LittleEndian.Uint32(rec))
	if n <= 0 || len(rec) < 4+4*n {
		return errBadRecord
	}
	lp := rec[4+4*n:]
	ends := make([]int, n)
	prev := 0
	for i := range n {
		e := int(binary.LittleEndian.Uint32(rec[4+4*i:]))
		if e <= prev || e > len(lp) || lp[e-1] != '\n' {
			return errBadRecord
		}
		ends[i], prev = e, e
	}
	if prev != len(lp) {
		return errBadRecord
	}
	b.AddRaw(lp, ends)
	return nil
}
