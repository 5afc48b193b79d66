package http

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// ValidateTarget checks that a target is an absolute http or https URL with
// a host. Credentials in the URL are refused: the target becomes a tag,
// stored and shown on dashboards; send them with options.headers instead.
func ValidateTarget(target string) error {
	_, err := parseTarget(target)
	return err
}

func parseTarget(target string) (*url.URL, error) {
	if strings.ContainsAny(target, " \t\r\n") {
		return nil, fmt.Errorf("%q: a URL cannot hold spaces (escape them as %%20)", target)
	}
	u, err := url.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("not a URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q: the scheme must be http or https", target)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("%q has no host", target)
	}
	if u.User != nil {
		return nil, fmt.Errorf("the target URL holds credentials; they would be stored as a tag (use options.headers)")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%q: port must be 1..65535", target)
		}
	}
	return u, nil
}
