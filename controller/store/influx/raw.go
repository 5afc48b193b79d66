package influx

// Raw returns the batch's encoded points and where each ends (ends[i] is
// the offset just past point i's newline), for a queue that keeps points
// between encoding and writing (controller/writebehind). Both alias the
// batch's memory until it is changed.
func (b *Batch) Raw() (buf []byte, ends []int) { return b.buf, b.ends }

// AddRaw appends points another Batch encoded, as Raw returned them.
func (b *Batch) AddRaw(buf []byte, ends []int) {
	base := len(b.buf)
	b.buf = append(b.buf, buf...)
	for _, e := range ends {
		b.ends = append(b.ends, base+e)
	}
}
