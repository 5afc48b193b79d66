//go:build !linux

package ping

import "errors"

func bindDevice(int, string) error {
	return errors.New("source_interface needs Linux (SO_BINDTODEVICE)")
}
