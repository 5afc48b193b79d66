package ping

import (
	"os"
	"syscall"
)

func bindDevice(fd int, ifname string) error {
	return os.NewSyscallError("setsockopt SO_BINDTODEVICE "+ifname,
		syscall.SetsockoptString(fd, syscall.SOL_SOCKET, syscall.SO_BINDTODEVICE, ifname))
}
