package ping

import (
	"net"
	"testing"
	"time"

	"github.com/vantage-net/vantage/internal/lab"
)

// TestRawSocketGetsRepliesOnly: on loopback a raw ICMP socket is handed
// each echo request before the kernel answers it. The engine's socket must
// receive only the reply: the requests doubled the reader's load at 20,000
// targets a second and overflowed its buffer while it waited for the CPU.
func TestRawSocketGetsRepliesOnly(t *testing.T) {
	lab.NeedRoot(t)
	ns := lab.NewNetns(t, "pf")
	err := ns.Do(func() error {
		s, err := openRaw()
		if err != nil {
			return err
		}
		defer s.conn.Close()
		pkt := make([]byte, 8+56)
		for seq := uint16(1); seq <= 3; seq++ {
			marshalEcho(pkt, 7, seq, 42)
			if _, err := s.conn.WriteTo(pkt, &net.IPAddr{IP: net.IPv4(127, 0, 0, 1)}); err != nil {
				return err
			}
		}
		buf, oob := make([]byte, 1500), make([]byte, oobSize)
		for i := 0; i < 3; i++ {
			_ = s.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			msg, _, _, _, err := readStamped(s.conn, buf, oob)
			if err != nil {
				t.Fatalf("read %d: %v", i, err)
			}
			if msg[0] != typeEchoReply {
				t.Errorf("packet %d on the engine's raw socket has ICMP type %d, want only echo replies (%d)", i, msg[0], typeEchoReply)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
