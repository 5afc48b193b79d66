package smtpsink

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// headerDecoder decodes RFC 2047 encoded words (a UTF-8 subject).
type headerDecoder struct{ d mime.WordDecoder }

func (m *headerDecoder) header(s string) string {
	out, err := m.d.DecodeHeader(s)
	if err != nil {
		return s
	}
	return out
}

// Text returns the message's text/plain part, decoded ("" if none).
func (m Message) Text() string {
	pm, err := mail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		return ""
	}
	return textPart(pm.Header.Get("Content-Type"), pm.Header.Get("Content-Transfer-Encoding"), pm.Body)
}

func textPart(ctype, enc string, body io.Reader) string {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return ""
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return ""
			}
			if s := textPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); s != "" {
				return s
			}
		}
	}
	if mt != "text/plain" {
		return ""
	}
	switch strings.ToLower(enc) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, _ := io.ReadAll(body)
	return string(b)
}
