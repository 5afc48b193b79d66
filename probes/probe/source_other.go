//go:build !linux

package probe

import "errors"

func bindToDevice(int, string) error {
	return errors.New("source_interface needs Linux (SO_BINDTODEVICE)")
}
