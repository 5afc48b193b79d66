package ping

import (
	"sync"

	prometheus "github.com/vantage-net/vantage/internal/metrics"
)

// The agent's ping probes share one engine: the point of the engine is one
// socket and one reader per process, however many probes are configured.
var shared struct {
	sync.Mutex
	engine *Engine
	users  int
}

// acquireEngine returns the process's engine, opening it on first use.
func acquireEngine(reg prometheus.Registerer) (*Engine, error) {
	shared.Lock()
	defer shared.Unlock()
	if shared.engine == nil {
		e, err := NewEngine(nil)
		if err != nil {
			return nil, err
		}
		shared.engine = e
	}
	if err := shared.engine.stats.register(reg); err != nil {
		return nil, err
	}
	shared.users++
	return shared.engine, nil
}

// releaseEngine closes the engine when its last probe is closed, so a config
// reload that drops every ping probe also drops the socket.
func releaseEngine() error {
	shared.Lock()
	defer shared.Unlock()
	if shared.users == 0 {
		return nil
	}
	shared.users--
	if shared.users > 0 {
		return nil
	}
	err := shared.engine.Close()
	shared.engine = nil
	return err
}

// privileged reports whether this process may open raw ICMP sockets; it
// decides pro-bing's mode. The answer is cached: capabilities do not change
// while the agent runs.
var privileged = sync.OnceValues(func() (bool, error) {
	s, rawErr := openRaw()
	if rawErr == nil {
		s.conn.Close()
		return true, nil
	}
	s, dgramErr := openDatagram()
	if dgramErr == nil {
		s.conn.Close()
		return false, nil
	}
	return false, permissionError(rawErr, dgramErr)
})
