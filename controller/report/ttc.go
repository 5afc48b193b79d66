package report

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// fromCollection returns font index of a TrueType collection (.ttc) as a
// standalone .ttf: fpdf reads only single fonts, and Debian ships most
// CJK fonts as collections. The tables are copied as they are (their
// checksums stay valid); only the offsets are rewritten. Data that is not
// a collection is returned unchanged.
func fromCollection(data []byte, index int) ([]byte, error) {
	if len(data) < 12 || string(data[:4]) != "ttcf" {
		return data, nil
	}
	bad := errors.New("report: font: truncated TrueType collection")
	n := int(binary.BigEndian.Uint32(data[8:]))
	if index < 0 || index >= n || len(data) < 12+4*n {
		return nil, fmt.Errorf("report: font: collection has %d fonts, no index %d", n, index)
	}
	off := int(binary.BigEndian.Uint32(data[12+4*index:]))
	if off+12 > len(data) {
		return nil, bad
	}
	tables := int(binary.BigEndian.Uint16(data[off+4:]))
	dir := off + 12
	if dir+16*tables > len(data) {
		return nil, bad
	}
	head := 12 + 16*tables
	size := head
	for i := range tables {
		l := int(binary.BigEndian.Uint32(data[dir+16*i+12:]))
		size += (l + 3) &^ 3
	}
	out := make([]byte, head, size)
	copy(out, data[off:off+12])
	for i := range tables {
		rec := data[dir+16*i : dir+16*i+16]
		o, l := int(binary.BigEndian.Uint32(rec[8:])), int(binary.BigEndian.Uint32(rec[12:]))
		if o < 0 || l < 0 || o+l > len(data) {
			return nil, bad
		}
		copy(out[12+16*i:], rec[:8])
		binary.BigEndian.PutUint32(out[12+16*i+8:], uint32(len(out)))
		binary.BigEndian.PutUint32(out[12+16*i+12:], uint32(l))
		out = append(out, data[o:o+l]...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out, nil
}
