package fashion

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMirrors(t *testing.T) {
	tests := []struct {
		name, reason, in string
		want             []string
		wantErr          string
	}{
		{name: "empty", reason: "an unset variable means the default mirrors", in: "", want: nil},
		{name: "blanks", reason: "spaces and empty entries are ignored", in: " , ,", want: nil},
		{name: "two", reason: "comma-separated, order kept, spaces trimmed",
			in:   " https://example.org/fashion/ , http://127.0.0.1:8080/m",
			want: []string{"https://example.org/fashion/", "http://127.0.0.1:8080/m"}},
		{name: "trailing comma", reason: "a trailing comma is harmless", in: "https://example.org/,",
			want: []string{"https://example.org/"}},
		{name: "ftp", reason: "only http and https", in: "ftp://example.org/",
			wantErr: `fashion: bad mirror "ftp://example.org/" in $LESSON_MIRRORS or -mirror: scheme "ftp": want http or https; give comma-separated base URLs such as https://`},
		{name: "no scheme", reason: "a bare host is not a URL", in: "example.org/fashion",
			wantErr: `fashion: bad mirror "example.org/fashion" in $LESSON_MIRRORS or -mirror: scheme "": want http or https`},
		{name: "no host", reason: "a URL needs a host", in: "http:///fashion",
			wantErr: `fashion: bad mirror "http:///fashion" in $LESSON_MIRRORS or -mirror: no host`},
		{name: "query", reason: "the file name is appended, so a query would break it", in: "https://example.org/?a=b",
			wantErr: `in $LESSON_MIRRORS or -mirror: a query (?…): want a plain base URL`},
		{name: "fragment", reason: "the file name is appended, so a fragment would break it", in: "https://example.org/#x",
			wantErr: `in $LESSON_MIRRORS or -mirror: a fragment (#…): want a plain base URL`},
		{name: "second bad", reason: "every entry is checked, and the bad one named", in: "https://example.org/, :bad",
			wantErr: `fashion: bad mirror ":bad" in $LESSON_MIRRORS or -mirror: parse ":bad": missing protocol scheme`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMirrors(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseMirrors(%q) = %q, %v; want an error containing %q (%s)", tt.in, got, err, tt.wantErr, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMirrors(%q): %v (%s)", tt.in, err, tt.reason)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseMirrors(%q) (%s): mismatch (-want +got):\n%s", tt.in, tt.reason, diff)
			}
		})
	}
}
