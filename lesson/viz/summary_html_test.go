package viz

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/gonb-lessons/convolutions/lesson"
)

func TestSummaryHTMLGolden(t *testing.T) {
	for _, tc := range []struct {
		name, golden, reason string
		net                  lesson.Network
	}{
		{"seed", "summary_html.golden", "the lesson's model, with 243,786 parameters", lesson.CNN},
		{"dense", "summary_dense_html.golden", "the previous lesson's dense network", func(s *lesson.Seq) {
			s.Flatten()
			s.Dense(128, lesson.ReLU)
			s.Dense(10, lesson.Softmax)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := SummaryHTML(model(t, tc.net).Summary())
			checkGolden(t, tc.golden, got)
			if err := xml.Unmarshal([]byte(got), new(any)); err != nil && !strings.Contains(err.Error(), "unknown type") {
				t.Errorf("HTML of %s (%s) is not well-formed: %v", tc.name, tc.reason, err)
			}
		})
	}
}

func TestSummaryHTMLEscapes(t *testing.T) {
	got := SummaryHTML(lesson.Table{Title: `a <b> & "c"`, Layers: []lesson.Layer{{Name: "x<y", Type: "T&U", Output: []int{1234}, Params: 1234567, Arithmetic: "1<2"}}, Total: 1234567})
	for _, want := range []string{"a &lt;b&gt; &amp; &#34;c&#34;", "x&lt;y (T&amp;U)", "(None, 1234)", "1,234,567", "<code>1&lt;2</code>"} {
		if !strings.Contains(got, want) {
			t.Errorf("SummaryHTML lacks %q:\n%s", want, got)
		}
	}
}

func TestCommas(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {243786, "243,786"}, {1384576, "1,384,576"}, {-1234, "-1,234"}} {
		if got := commas(tc.n); got != tc.want {
			t.Errorf("commas(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
