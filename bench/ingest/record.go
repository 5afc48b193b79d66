package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// recorder is an http.RoundTripper in front of the ingest's influx.Writer
// that keeps a copy of every write request (its headers, body and send
// time), so the replay phase can POST exactly the ingest's requests with
// the ceiling's raw poster.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	at, end time.Time
	method  string
	url     string
	header  http.Header
	body    []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	r.mu.Lock()
	i := len(r.reqs)
	r.reqs = append(r.reqs, recorded{at: time.Now(), method: req.Method, url: req.URL.String(), header: req.Header.Clone(), body: body})
	r.mu.Unlock()
	resp, err := r.next.RoundTrip(req)
	r.mu.Lock()
	r.reqs[i].end = time.Now()
	r.mu.Unlock()
	return resp, err
}

// chunks returns the recorded bodies as the ceiling's request bodies.
func (r *recorder) chunks() []chunk {
	out := make([]chunk, 0, len(r.reqs))
	for _, q := range r.reqs {
		out = append(out, chunk{body: q.body, points: bytes.Count(q.body, []byte{'\n'}) + 1})
	}
	return out
}

// describe prints how the recorded requests differ from the ceiling's.
func (r *recorder) describe(ceiling []chunk) {
	if len(r.reqs) == 0 {
		return
	}
	q := r.reqs[0]
	fmt.Printf("recorded %d requests; first: %s %s %v, %d bytes\n", len(r.reqs), q.method, q.url, q.header, len(q.body))
	sizes := map[int]int{}
	var total int
	for _, q := range r.reqs {
		sizes[bytes.Count(q.body, []byte{'\n'})+1]++
		total += len(q.body)
	}
	fmt.Printf("points per request: %v; bytes %d; last byte newline: %v\n", sizes, total, q.body[len(q.body)-1] == '\n')
	var ctotal int
	set := map[string]int{}
	for i, c := range ceiling {
		ctotal += len(c.body)
		set[string(c.body)] = i
	}
	same := 0
	for _, q := range r.reqs {
		b := q.body
		if _, ok := set[string(b)]; ok {
			same++
		}
	}
	fmt.Printf("ceiling: %d requests, %d bytes; ingest requests identical to a ceiling chunk: %d\n", len(ceiling), ctotal, same)
	var busy time.Duration
	first, last := r.reqs[0].at, r.reqs[0].end
	for _, q := range r.reqs {
		busy += q.end.Sub(q.at)
		if q.end.After(last) {
			last = q.end
		}
	}
	fmt.Printf("requests in flight on average: %.2f over %v (mean request %v)\n", busy.Seconds()/last.Sub(first).Seconds(), last.Sub(first).Round(time.Millisecond), (busy / time.Duration(len(r.reqs))).Round(time.Millisecond))
}
