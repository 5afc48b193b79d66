package probe

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// TestClassifyHonoursClassError: a ClassError anywhere in the chain gives
// its own class, even around an error Classify would class otherwise.
func TestClassifyHonoursClassError(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errors.New("x"), ErrOther},
		{context.DeadlineExceeded, ErrTimeout},
		{&ClassError{Class: ErrStatus, Err: errors.New("status 500")}, ErrStatus},
		{fmt.Errorf("round: %w", &ClassError{Class: ErrAnswer, Err: context.DeadlineExceeded}), ErrAnswer},
	} {
		if got := Classify(c.err); got != c.want {
			t.Errorf("Classify(%v) = %q, want %q", c.err, got, c.want)
		}
	}
	e := &ClassError{Class: ErrDNS, Err: context.DeadlineExceeded}
	if e.Error() != context.DeadlineExceeded.Error() || !errors.Is(e, context.DeadlineExceeded) {
		t.Errorf("ClassError does not show or unwrap its error: %q", e.Error())
	}
}
