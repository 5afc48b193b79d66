package spool

import (
	"encoding/binary"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/clock"
)

func TestAppendAckReplayOldestFirst(t *testing.T) {
	dir := t.TempDir()
	// Tiny segments so acknowledgements delete files.
	small := func(o *Options) { o.SegmentBytes = 3 * recordSize(1) }
	s := open(t, dir, small)
	for i := 1; i <= 10; i++ {
		s.Push(msg(i))
	}
	if s.Results() != 20 || s.Depth() != 20 || s.Bytes() != 10*recordSize(1) {
		t.Fatalf("results %d bytes %d", s.Results(), s.Bytes())
	}
	before := len(segFiles(t, dir))
	for i := 1; i <= 4; i++ {
		m, ok := s.Peek()
		if !ok || m.ID != msg(i).ID || string(m.Data) != string(msg(i).Data) || m.Results != 2 {
			t.Fatalf("peek %d: %+v %v", i, m, ok)
		}
		s.Pop()
	}
	if after := len(segFiles(t, dir)); after >= before {
		t.Fatalf("acknowledged segments not deleted: %d files before, %d after", before, after)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, dir, small)
	if s.Results() != 12 {
		t.Fatalf("after reopen: %d results, want 12", s.Results())
	}
	s.Push(msg(11))
	m, _ := s.Peek()
	if string(m.Data) != string(msg(5).Data) {
		t.Fatalf("replay data %q", m.Data)
	}
	if got := ids(t, s); !slices.Equal(got, idRange(5, 11)) {
		t.Fatalf("replay %v", got)
	}
	s.Close()
	if got := reopenIDs(t, dir, small); len(got) != 0 {
		t.Fatalf("acknowledged records replayed: %v", got)
	}
}

func TestTornTailIsCutAndCounted(t *testing.T) {
	for name, tail := range map[string]func(full []byte) []byte{
		"short header":  func(full []byte) []byte { return full[:7] },
		"short payload": func(full []byte) []byte { return full[:len(full)-3] },
		// Full length but the last block never reached the disk (power cut).
		"zeroed end": func(full []byte) []byte {
			b := slices.Clone(full)
			clear(b[len(b)-5:])
			return b
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s := open(t, dir, nil)
			for i := 1; i <= 5; i++ {
				s.Push(msg(i))
			}
			s.Close()
			seg := segFiles(t, dir)[0]
			good, _ := os.ReadFile(seg)
			m := msg(6)
			mustWrite(t, seg, append(slices.Clone(good), tail(encode(&rec{seq: 6, id: m.ID, data: m.Data, results: 2}))...))

			s = open(t, dir, nil)
			if damaged(s, "torn") != 1 || damaged(s, "corrupt") != 0 {
				t.Fatalf("torn %d corrupt %d", damaged(s, "torn"), damaged(s, "corrupt"))
			}
			if fi, _ := os.Stat(seg); fi.Size() != int64(len(good)) {
				t.Fatalf("segment %d bytes, want cut to %d", fi.Size(), len(good))
			}
			s.Push(msg(7)) // appends right after the last intact record
			s.Close()
			if got := reopenIDs(t, dir, nil); !slices.Equal(got, append(idRange(1, 5), msg(7).ID)) {
				t.Fatalf("got %v", got)
			}
		})
	}
}

func TestCorruptRecordMidFileIsSkipped(t *testing.T) {
	size := int(recordSize(1))
	for name, off := range map[string]int{
		"payload bit": 2*size + headerSize + 9,
		"length":      2*size + 5, // the scan must resync on the next record
		"magic":       2 * size,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			s := open(t, dir, nil)
			for i := 1; i <= 5; i++ {
				s.Push(msg(i))
			}
			s.Close()
			seg := segFiles(t, dir)[0]
			b, _ := os.ReadFile(seg)
			b[off] ^= 0x40
			mustWrite(t, seg, b)

			s = open(t, dir, nil)
			defer s.Close()
			if damaged(s, "corrupt") != 1 || damaged(s, "torn") != 0 {
				t.Fatalf("corrupt %d torn %d", damaged(s, "corrupt"), damaged(s, "torn"))
			}
			if got := ids(t, s); !slices.Equal(got, []string{msg(1).ID, msg(2).ID, msg(4).ID, msg(5).ID}) {
				t.Fatalf("got %v", got)
			}
		})
	}
}

func TestRecordDamagedAfterOpenIsDroppedAtSend(t *testing.T) {
	dir := t.TempDir()
	var d drops
	s := open(t, dir, func(o *Options) { o.Dropped = d.add })
	defer s.Close()
	for i := 1; i <= 3; i++ {
		s.Push(msg(i))
	}
	seg := segFiles(t, dir)[0]
	f, _ := os.OpenFile(seg, os.O_RDWR, 0)
	_, _ = f.WriteAt([]byte{0xff}, headerSize+9) // inside record 1's payload
	f.Close()
	if got := ids(t, s); !slices.Equal(got, idRange(2, 3)) {
		t.Fatalf("got %v", got)
	}
	if d.get("corrupt") != 2 || droppedMetric(s, "corrupt") != 2 {
		t.Fatalf("dropped %v", d.by)
	}
}

func TestSizeBoundDropsOldestExactly(t *testing.T) {
	dir := t.TempDir()
	var d drops
	bound := func(o *Options) {
		o.MaxBytes = 10 * recordSize(1)
		o.SegmentBytes = 4 * recordSize(1)
		o.Dropped = d.add
	}
	s := open(t, dir, bound)
	for i := 1; i <= 15; i++ {
		s.Push(msg(i))
	}
	// 15 pushed, room for 10: exactly 5 dropped, the oldest after the head
	// (which the sender may have in flight).
	if d.get("full") != 5*2 || droppedMetric(s, "full") != 5*2 || s.Results() != 10*2 {
		t.Fatalf("dropped %v, metric %d, waiting %d", d.by, droppedMetric(s, "full"), s.Results())
	}
	if s.Bytes() > 10*recordSize(1) {
		t.Fatalf("%d bytes over the bound", s.Bytes())
	}
	s.Close()
	want := append([]string{msg(1).ID}, idRange(7, 15)...)
	// The drops are in the cursor: a restart does not bring them back.
	s = open(t, dir, bound)
	m, _ := s.Peek()
	s.Pop()
	s.Close()
	if m.ID != want[0] {
		t.Fatalf("head %s", m.ID)
	}
	if got := reopenIDs(t, dir, bound); !slices.Equal(got, want[1:]) {
		t.Fatalf("got %v, want %v", got, want[1:])
	}
}

func TestAgeBoundWithInjectedClock(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewFake(t0)
	var d drops
	aged := func(o *Options) { o.MaxAge = time.Hour; o.Clock = clk; o.Dropped = d.add }
	s := open(t, dir, aged)
	for i := 1; i <= 5; i++ {
		s.Push(msg(i))
	}
	clk.Advance(30 * time.Minute)
	for i := 6; i <= 8; i++ {
		s.Push(msg(i))
	}
	clk.Advance(45 * time.Minute) // 1..5 are 75 minutes old, 6..8 45
	s.Push(msg(9))
	if d.get("age") != 4*2 || droppedMetric(s, "age") != 4*2 {
		t.Fatalf("dropped %v", d.by)
	}
	s.Close()

	// Left alone for two hours: everything but the head ages out at open.
	clk.Advance(2 * time.Hour)
	s = open(t, dir, aged)
	if d.get("age") != 8*2 {
		t.Fatalf("dropped at open %v", d.by)
	}
	if got := ids(t, s); !slices.Equal(got, []string{msg(1).ID}) {
		t.Fatalf("got %v", got)
	}
	s.Close()
}

func TestDamagedCursorReplaysEverything(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, nil)
	for i := 1; i <= 3; i++ {
		s.Push(msg(i))
	}
	s.Peek()
	s.Pop()
	s.Close()
	c, _ := os.ReadFile(dir + "/cursor")
	binary.LittleEndian.PutUint64(c, 99)
	mustWrite(t, dir+"/cursor", c)
	// Duplicates (absorbed by JetStream and InfluxDB) rather than a loss.
	if got := reopenIDs(t, dir, nil); !slices.Equal(got, idRange(1, 3)) {
		t.Fatalf("got %v", got)
	}
}

func TestFsyncPolicies(t *testing.T) {
	for _, p := range []Fsync{FsyncAlways, FsyncInterval, FsyncNever} {
		t.Run(string(p), func(t *testing.T) {
			dir := t.TempDir()
			s := open(t, dir, func(o *Options) {
				o.Fsync = p
				o.FsyncInterval = 10 * time.Millisecond
				o.SegmentBytes = 2 * recordSize(1)
			})
			for i := 1; i <= 7; i++ {
				s.Push(msg(i))
			}
			time.Sleep(30 * time.Millisecond) // let the interval sync run at least once
			s.Peek()
			s.Pop()
			s.Close()
			if got := reopenIDs(t, dir, nil); !slices.Equal(got, idRange(2, 7)) {
				t.Fatalf("got %v", got)
			}
		})
	}
}

func TestOptionsRefused(t *testing.T) {
	for _, o := range []Options{{}, {Dir: t.TempDir()}, {Dir: t.TempDir(), MaxBytes: 1, Fsync: "sometimes"}} {
		if _, err := Open(o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

// TestFullSpoolIndexStaysBounded: appending at one end and dropping at the
// other for a long time must not grow the in-memory index.
func TestFullSpoolIndexStaysBounded(t *testing.T) {
	s := open(t, t.TempDir(), func(o *Options) { o.MaxBytes = 100 * recordSize(1); o.SegmentBytes = 20 * recordSize(1) })
	defer s.Close()
	for i := 1; i <= 20000; i++ {
		s.Push(msg(i))
	}
	if cap(s.q) > 4*1024 || len(segFiles(t, s.opt.Dir)) > 8 {
		t.Fatalf("index capacity %d, %d segment files", cap(s.q), len(segFiles(t, s.opt.Dir)))
	}
}
