package ping

import (
	"syscall"
	"testing"
)

// An agent without CAP_NET_ADMIN is refused SO_RCVBUFFORCE; it must fall
// back to SO_RCVBUF (capped at net.core.rmem_max) once, not retry forever:
// the packaged agent, run as nobody with CAP_NET_RAW only, overflowed its
// stack here.
func TestReadBufferFallsBackWithoutForce(t *testing.T) {
	var calls []int
	refuseForce := func(fd, level, opt, value int) error {
		calls = append(calls, opt)
		if len(calls) > 4 {
			t.Fatalf("setsockopt called %d times: %v", len(calls), calls)
		}
		if opt == syscall.SO_RCVBUFFORCE {
			return syscall.EPERM
		}
		if value != readBuffer {
			t.Errorf("SO_RCVBUF set to %d, want %d", value, readBuffer)
		}
		return nil
	}
	setReadBuffer(3, refuseForce)
	want := []int{syscall.SO_RCVBUFFORCE, syscall.SO_RCVBUF}
	if len(calls) != len(want) || calls[0] != want[0] || calls[1] != want[1] {
		t.Fatalf("setsockopt options %v, want %v (SO_RCVBUFFORCE then SO_RCVBUF)", calls, want)
	}
}
