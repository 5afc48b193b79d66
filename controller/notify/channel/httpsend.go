package channel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/template"
)

// Funcs are the template functions of SMS and webhook bodies: json quotes a
// value as a JSON literal, so a body template stays valid JSON whatever the
// text holds ({"text": {{json .Text}}}).
var Funcs = template.FuncMap{
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"join": strings.Join,
}

// Post sends one HTTP request and classifies the answer: 2xx is delivered,
// 408, 429 and 5xx are worth a retry, other 4xx are permanent. Errors never
// carry the URL (webhook URLs often hold their token).
func Post(ctx context.Context, c *http.Client, method, rawURL string, header http.Header, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, rawURL, bytes.NewReader(body))
	if err != nil {
		return nil, Permanent(errors.New("bad request URL or method"))
	}
	req.Header = header
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // drop the URL
		}
		return nil, err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return out, nil
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return out, fmt.Errorf("HTTP %d", code)
	default:
		return out, Permanent(fmt.Errorf("HTTP %d: %.200s", code, out))
	}
}

// Execute renders a template to bytes.
func Execute(t *template.Template, data any) ([]byte, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, Permanent(fmt.Errorf("template %s: %w", t.Name(), err))
	}
	return b.Bytes(), nil
}
