package webui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"sync"
	"time"
)

// session is one logged-in browser. The token is the API token the user
// typed; it never leaves the controller again.
type session struct {
	token string
	// csrf is the value every form of this session must carry.
	csrf string
	// operator is true for admin and ops tokens: they see the fleet and
	// may acknowledge incidents and plan maintenance. The API decides
	// again on each call; this only hides forms that would be refused.
	operator bool
	expires  time.Time
}

// errFull is returned when the store holds its maximum of live sessions.
var errFull = errors.New("too many sessions")

// sessions is the server-side session store, bounded in count and time.
type sessions struct {
	mu  sync.Mutex
	m   map[string]*session
	max int
	ttl time.Duration
	now func() time.Time
}

func newSessions(max int, ttl time.Duration, now func() time.Time) *sessions {
	return &sessions{m: map[string]*session{}, max: max, ttl: ttl, now: now}
}

// randomID is 32 random bytes, URL-safe.
func randomID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// create stores a new session and returns its id (the cookie's value).
func (s *sessions) create(token string, operator bool) (string, *session, error) {
	id, err := randomID()
	if err != nil {
		return "", nil, err
	}
	csrf, err := randomID()
	if err != nil {
		return "", nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if len(s.m) >= s.max {
		for k, v := range s.m {
			if !now.Before(v.expires) {
				delete(s.m, k)
			}
		}
		if len(s.m) >= s.max {
			return "", nil, errFull
		}
	}
	ss := &session{token: token, csrf: csrf, operator: operator, expires: now.Add(s.ttl)}
	s.m[id] = ss
	return id, ss, nil
}

// get returns the live session of id, sliding its expiry.
func (s *sessions) get(id string) (*session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.m[id]
	if !ok {
		return nil, false
	}
	now := s.now()
	if !now.Before(ss.expires) {
		delete(s.m, id)
		return nil, false
	}
	ss.expires = now.Add(s.ttl)
	return ss, true
}

func (s *sessions) drop(id string) {
	s.mu.Lock()
	delete(s.m, id)
	s.mu.Unlock()
}

// csrfOK compares a form's token with the session's in constant time.
func (ss *session) csrfOK(got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(ss.csrf)) == 1
}
