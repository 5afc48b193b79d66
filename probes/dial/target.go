package dial

import (
	"fmt"
	"net"
	"strings"
)

// ValidateTarget checks a dial target without knowing the probe's kind (the
// registry asks before options are read): host:port, as tcp and tls need, or
// a DNS name, as dns needs. Probe refuses a target of the wrong shape for its
// kind with error class "config".
func ValidateTarget(target string) error {
	if target == "" {
		return fmt.Errorf("empty target")
	}
	if strings.ContainsAny(target, " \t\r\n/") {
		return fmt.Errorf("%q: a dial target is host:port or a DNS name, without spaces or slashes", target)
	}
	if _, _, err := splitHostPort(target); err == nil {
		return nil
	}
	if validName(target) {
		return nil
	}
	return fmt.Errorf("%q is neither host:port nor a DNS name", target)
}

// splitHostPort accepts host:port with a non-empty host and a port 1..65535.
func splitHostPort(target string) (host, port string, err error) {
	host, port, err = net.SplitHostPort(target)
	if err != nil {
		return "", "", err
	}
	if host == "" || !validPort(port) || !(validName(host) || net.ParseIP(host) != nil) {
		return "", "", fmt.Errorf("%q: want host:port with a port 1..65535", target)
	}
	return host, port, nil
}

// validName reports whether s is a DNS name as resolvers accept it: labels
// of 1..63 letters, digits, '-' or '_' (used by SRV-style and some internal
// names), 253 characters at most, an optional final dot.
func validName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// checkTarget is ValidateTarget for a known kind.
func checkTarget(kind, target string) error {
	if kind == KindDNS {
		if !validName(target) {
			return fmt.Errorf("%q: a dns probe's target is the name to resolve", target)
		}
		return nil
	}
	if _, _, err := splitHostPort(target); err != nil {
		return fmt.Errorf("%q: a %s probe's target is host:port", target, kind)
	}
	return nil
}
