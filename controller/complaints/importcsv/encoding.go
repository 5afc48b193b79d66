package importcsv

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Encodings accepted by --encoding ("" detects).
var Encodings = []string{"utf-8", "gbk", "gb18030"}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// decode returns data as UTF-8 and the encoding it was read as. Without
// enc: a UTF-8 BOM, or bytes that are valid UTF-8 throughout, are UTF-8;
// anything else is GB18030 (a superset of GBK and GB2312, what Chinese
// Excel and call-centre systems export). A GBK file is practically never
// valid UTF-8: its two-byte characters (0x81–0xFE then 0x40–0xFE) break
// UTF-8's continuation rules within the first few Chinese characters.
func decode(data []byte, enc string) ([]byte, string, error) {
	switch enc {
	case "":
		if bytes.HasPrefix(data, utf8BOM) {
			return data[len(utf8BOM):], "utf-8 (BOM)", nil
		}
		if utf8.Valid(data) {
			return data, "utf-8", nil
		}
		out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		return out, "gb18030 (detected)", err
	case "utf-8", "utf8":
		data = bytes.TrimPrefix(data, utf8BOM)
		if !utf8.Valid(data) {
			line := 1 + bytes.Count(data[:firstInvalid(data)], []byte("\n"))
			return nil, "", fmt.Errorf("line %d: not UTF-8 (try --encoding gb18030, or leave --encoding out to detect)", line)
		}
		return data, "utf-8", nil
	case "gbk":
		out, err := simplifiedchinese.GBK.NewDecoder().Bytes(data)
		return out, "gbk", err
	case "gb18030":
		out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		return out, "gb18030", err
	}
	return nil, "", fmt.Errorf("--encoding %q: want one of utf-8, gbk, gb18030", enc)
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}
