package viz

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/gonb-lessons/convolutions/lesson"
	"github.com/gonb-lessons/convolutions/lesson/internal/golden"
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
			golden.Check(t, tc.golden, got)
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
