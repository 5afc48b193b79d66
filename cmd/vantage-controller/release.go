package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/vantage-net/vantage/controller/config"
	"github.com/vantage-net/vantage/controller/release"
	"github.com/vantage-net/vantage/internal/releasesig"
)

// releaseCmd runs `vantage-controller release keygen|sign|add|list`.
func releaseCmd(args []string, stdout, stderr io.Writer) int {
	err := release.Command(args, stdout, stderr, func(dir, pub, cfgPath string) (*release.Store, error) {
		if dir == "" || pub == "" {
			cfg, err := config.Load(cfgPath)
			if err != nil {
				return nil, fmt.Errorf("invalid config (or give --dir and --public-key):\n%v", err)
			}
			if cfg.Releases == nil {
				return nil, fmt.Errorf("%s has no releases block (or give --dir and --public-key)", cfgPath)
			}
			if dir == "" {
				dir = cfg.Releases.Dir
			}
			if pub == "" {
				pub = cfg.Releases.PublicKey
			}
		}
		key, err := releasesig.ParsePublicKey(pub)
		if err != nil {
			return nil, fmt.Errorf("--public-key: %w", err)
		}
		return release.NewStore(dir, key), nil
	})
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stderr, release.Usage)
		return 0
	}
	fmt.Fprintf(stderr, "vantage-controller release: %v\n", err)
	return 1
}
