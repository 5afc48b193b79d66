package dashboards

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// shape is what a panel query promises: the columns its outer SELECT
// names (every expression carries AS "name", so Grafana's legend and the
// panel's field names are fixed) and the tags its outer GROUP BY adds.
type shape struct {
	columns []string
	tags    []string
}

// topLevel returns the index of the first occurrence of word in s outside
// parentheses, or -1.
func topLevel(s, word string, from int) int {
	depth := 0
	for i := from; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 && strings.HasPrefix(strings.ToUpper(s[i:]), word) {
			return i
		}
	}
	return -1
}

// splitTop splits s at commas outside parentheses.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

var (
	aliasRe = regexp.MustCompile(`\s+AS\s+"([a-z0-9_]+)"$`)
	tagRe   = regexp.MustCompile(`^"([a-z0-9_]+)"$`)
)

// shapeOf parses a panel query's outer SELECT list and GROUP BY.
func shapeOf(q string) (shape, error) {
	var sh shape
	if !strings.HasPrefix(q, "SELECT ") {
		return sh, fmt.Errorf("not a SELECT")
	}
	from := topLevel(q, " FROM ", 0)
	if from < 0 {
		return sh, fmt.Errorf("no FROM")
	}
	for _, e := range splitTop(q[len("SELECT "):from]) {
		m := aliasRe.FindStringSubmatch(e)
		if m == nil {
			return sh, fmt.Errorf("select expression %q has no AS \"name\"", e)
		}
		sh.columns = append(sh.columns, m[1])
	}
	if g := topLevel(q, " GROUP BY ", from); g >= 0 {
		rest := q[g+len(" GROUP BY "):]
		if f := topLevel(rest, " FILL(", 0); f >= 0 {
			rest = rest[:f]
		}
		for _, e := range splitTop(rest) {
			if strings.HasPrefix(e, "time(") {
				continue
			}
			m := tagRe.FindStringSubmatch(e)
			if m == nil {
				return sh, fmt.Errorf("GROUP BY item %q is neither time(...) nor a quoted tag", e)
			}
			sh.tags = append(sh.tags, m[1])
		}
	}
	return sh, nil
}

// series is one series of an InfluxDB /query answer.
type series struct {
	Name    string            `json:"name"`
	Tags    map[string]string `json:"tags"`
	Columns []string          `json:"columns"`
	Values  [][]any           `json:"values"`
}

// influxQuery runs q against db as Grafana's InfluxQL data source does
// (POST /query, epoch=ms) and returns its series.
func influxQuery(base, db, q string) ([]series, error) {
	resp, err := http.PostForm(base+"/query", url.Values{"db": {db}, "q": {q}, "epoch": {"ms"}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var r struct {
		Error   string `json:"error"`
		Results []struct {
			Error  string   `json:"error"`
			Series []series `json:"series"`
		} `json:"results"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("%s: %s", resp.Status, body)
	}
	if r.Error != "" {
		return nil, fmt.Errorf("influxdb: %s", r.Error)
	}
	if len(r.Results) != 1 {
		return nil, fmt.Errorf("want 1 result, got %d", len(r.Results))
	}
	if r.Results[0].Error != "" {
		return nil, fmt.Errorf("influxdb: %s", r.Results[0].Error)
	}
	return r.Results[0].Series, nil
}

// checkRows asserts that an answer has rows, that every promised column
// is present with at least one non-null value, and that every GROUP BY
// tag is on every series with at least one non-empty value. A wrong
// measurement gives no series; a wrong field an all-null column or none;
// a wrong tag in a WHERE with a picked value no rows; a wrong GROUP BY tag
// only empty values.
func checkRows(ss []series, sh shape) error {
	rows := 0
	for _, s := range ss {
		rows += len(s.Values)
	}
	if rows == 0 {
		return fmt.Errorf("no rows")
	}
	for _, c := range sh.columns {
		present, nonNull := false, false
		for _, s := range ss {
			for i, name := range s.Columns {
				if name != c {
					continue
				}
				present = true
				for _, v := range s.Values {
					if i < len(v) && v[i] != nil {
						nonNull = true
					}
				}
			}
		}
		if !present {
			return fmt.Errorf("column %q missing", c)
		}
		if !nonNull {
			return fmt.Errorf("column %q only null", c)
		}
	}
	for _, tg := range sh.tags {
		nonEmpty := false
		for _, s := range ss {
			v, ok := s.Tags[tg]
			if !ok {
				return fmt.Errorf("series %s lacks GROUP BY tag %q", s.Name, tg)
			}
			if v != "" {
				nonEmpty = true
			}
		}
		if !nonEmpty {
			return fmt.Errorf("GROUP BY tag %q is empty on every series", tg)
		}
	}
	return nil
}

// tagValues reads a SHOW TAG VALUES answer: the value column.
func tagValues(ss []series) ([]string, error) {
	var out []string
	for _, s := range ss {
		vi := -1
		for i, c := range s.Columns {
			if c == "value" {
				vi = i
			}
		}
		if vi < 0 {
			return nil, fmt.Errorf("SHOW TAG VALUES answer without a value column: %v", s.Columns)
		}
		for _, v := range s.Values {
			if str, ok := v[vi].(string); ok {
				out = append(out, str)
			}
		}
	}
	return out, nil
}
