package webui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/vantage-net/vantage/controller/apiauth"
)

// recorder is the in-process response of one API call.
type recorder struct {
	h    http.Header
	code int
	body bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.body.Write(b)
}

// apiError is the API's error body (DESIGN.md).
type apiError struct {
	Status int
	Msg    string `json:"error"`
	Field  string `json:"field"`
}

func (e *apiError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Msg)
	}
	return e.Msg
}

// call runs method path through the controller's /api/v1 handler with the
// session's token, exactly as a client's request would be: the token check
// and the scope are the API's. A non-2xx answer is an *apiError.
func (u *UI) call(ctx context.Context, ss *session, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, path, body)
	if err != nil {
		return err
	}
	as(req, ss)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec, err := u.serve(req)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(rec.body.Bytes(), out); err != nil {
		return fmt.Errorf("%s %s: decode: %w", method, path, err)
	}
	return nil
}

// get is call with GET.
func (u *UI) get(ctx context.Context, ss *session, path string, out any) error {
	return u.call(ctx, ss, http.MethodGet, path, nil, out)
}

// statusOf returns the HTTP status of an API error, 0 for other errors.
func statusOf(err error) int {
	if e, ok := err.(*apiError); ok {
		return e.Status
	}
	return 0
}

// serve runs req through the API; a non-2xx answer is an *apiError.
func (u *UI) serve(req *http.Request) (*recorder, error) {
	rec := &recorder{h: http.Header{}}
	u.api.ServeHTTP(rec, req)
	if rec.code == 0 {
		rec.code = http.StatusOK
	}
	if rec.code/100 != 2 {
		e := &apiError{Status: rec.code}
		_ = json.Unmarshal(rec.body.Bytes(), e)
		if e.Msg == "" {
			e.Msg = http.StatusText(rec.code)
		}
		return nil, e
	}
	return rec, nil
}

// raw is a GET whose answer is passed on as it is (a report file).
func (u *UI) raw(r *http.Request, ss *session, path string) (*recorder, error) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	as(req, ss)
	return u.serve(req)
}

// as makes req the session's: the token being checked at login as a bearer
// header, a stored session by its token's hash (apiauth.WithTokenHash).
func as(req *http.Request, ss *session) {
	req.RemoteAddr = "ui"
	switch {
	case ss == nil:
	case ss.token != "":
		req.Header.Set("Authorization", "Bearer "+ss.token)
	case ss.tokenHash != nil:
		*req = *req.WithContext(apiauth.WithTokenHash(req.Context(), ss.tokenHash))
	}
}
