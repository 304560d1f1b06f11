package fashion

import (
	"fmt"
	"net/url"
	"strings"
)

const (
	// DirEnv names the environment variable that the edges of the lesson (the command's main, the
	// notebook's opener) read into LoadOptions.Dir, with DirSource "$LESSON_DATA_DIR". The package itself
	// never reads it.
	DirEnv = "LESSON_DATA_DIR"

	// MirrorsEnv names the environment variable that the edges of the lesson read, with ParseMirrors, into
	// LoadOptions.Mirrors: comma-separated base URLs tried in order. The package itself never reads it.
	MirrorsEnv = "LESSON_MIRRORS"
)

// defaultMirrors returns the mirrors used when LoadOptions.Mirrors is empty.
func defaultMirrors() []string {
	return []string{
		"https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
		"http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
	}
}

// ParseMirrors parses a comma-separated list of mirror base URLs, the syntax of $LESSON_MIRRORS and of the
// command's -mirror flag, for LoadOptions.Mirrors. Spaces around entries and empty entries are ignored, so
// "" and " , " give nil (the default mirrors). Each entry must be an absolute http:// or https:// URL with
// a host and no query or fragment; the file URL is the entry, a "/" and the file name, such as
// train-images-idx3-ubyte.gz.
func ParseMirrors(s string) ([]string, error) {
	var mirrors []string
	for entry := range strings.SplitSeq(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		u, err := url.Parse(entry)
		problem := ""
		switch {
		case err != nil:
			problem = err.Error()
		case u.Scheme != "http" && u.Scheme != "https":
			problem = fmt.Sprintf("scheme %q: want http or https", u.Scheme)
		case u.Host == "":
			problem = "no host"
		case u.RawQuery != "" || u.ForceQuery:
			problem = "a query (?…): want a plain base URL"
		case u.Fragment != "":
			problem = "a fragment (#…): want a plain base URL"
		}
		if problem != "" {
			return nil, fmt.Errorf("fashion: bad mirror %q in $%s or -mirror: %s; give comma-separated base "+
				"URLs such as https://storage.googleapis.com/tensorflow/tf-keras-datasets/", entry, MirrorsEnv, problem)
		}
		mirrors = append(mirrors, entry)
	}
	return mirrors, nil
}
