package fashion

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLoadSearchOrder checks where the loader finds one file (t10k-labels-idx1-ubyte) given what the
// four places (an explicit Dir, a directory in $LESSON_DATA_DIR, the cache and the system directory) hold.
// The loader itself never reads $LESSON_DATA_DIR: the "env" place is set in the environment for every case
// and must only be used when passed as Dir, as the edges do.
func TestLoadSearchOrder(t *testing.T) {
	const name = "t10k-labels-idx1-ubyte"
	tests := []struct {
		name, reason string
		files        map[string]string // place → form of the file there (see fixtureFile)
		dir          string            // place passed as Dir ("dir" or "env"), "" for none
		dirSource    string            // DirSource
		noDownload   bool
		wantPath     string   // "{place}/file"; "" when an error is wanted
		wantErr      []string // substrings; {dir}, {env}, {cache}, {system} stand for the places
		wantLog      []string
		wantHits     int64
		wantCache    []string // files left in the cache
		wantKept     []string // places whose (bad) file must not be removed
	}{
		{name: "Dir first", reason: "an explicit Dir wins over everything",
			files: map[string]string{"dir": "gz", "env": "gz", "cache": "gz", "system": "gz"},
			dir:   "dir", dirSource: "-data", wantPath: "{dir}/" + name + ".gz", wantCache: []string{name + ".gz"}},
		{name: "env not read", reason: "the loader never reads $LESSON_DATA_DIR itself: the edges pass it as Dir",
			files:    map[string]string{"env": "gz", "cache": "gz"},
			wantPath: "{cache}/" + name + ".gz", wantCache: []string{name + ".gz"}},
		{name: "env passed as Dir", reason: "the edge passes $LESSON_DATA_DIR as Dir; raw files count",
			files: map[string]string{"env": "raw", "cache": "gz", "system": "gz"},
			dir:   "env", dirSource: "$LESSON_DATA_DIR", wantPath: "{env}/" + name, wantCache: []string{name + ".gz"}},
		{name: "Dir missing file", reason: "an explicit directory is the only place searched; the error names the flag",
			files: map[string]string{"cache": "gz", "system": "gz"}, dir: "dir", dirSource: "-data",
			wantErr: []string{"fashion: " + name + ": neither " + name + ".gz nor " + name + " found in {dir} " +
				"(set by -data, so no other place is searched); copy the Fashion-MNIST files there, " +
				"or unset -data to use the cache, {system} or a download"},
			wantCache: []string{name + ".gz"}},
		{name: "Dir without source", reason: "errors never name a Go struct field, even when DirSource is empty",
			files: map[string]string{"cache": "gz"}, dir: "dir",
			wantErr:   []string{"(set by the data directory option, so no other place is searched)"},
			wantCache: []string{name + ".gz"}},
		{name: "env bad file", reason: "a bad file in an explicit directory is an error and is left alone",
			files: map[string]string{"env": "corrupt", "cache": "gz"}, dir: "env", dirSource: "$LESSON_DATA_DIR",
			wantErr: []string{"fashion: {env}/" + name + ".gz: sha256 mismatch (got ",
				"; replace it with a good copy (the directory is set by $LESSON_DATA_DIR, so no other place is searched)"},
			wantCache: []string{name + ".gz"}, wantKept: []string{"env"}},
		{name: "env truncated file", reason: "the fix is said once, not after each layer's description",
			files: map[string]string{"env": "truncated"}, dir: "env", dirSource: "$LESSON_DATA_DIR",
			wantErr: []string{"fashion: {env}/" + name + ".gz: bad gzip data: unexpected EOF (the file is damaged " +
				"or incomplete); replace it with a good copy (the directory is set by $LESSON_DATA_DIR"},
			wantKept: []string{"env"}},
		{name: "cache before system", reason: "the cache is searched first",
			files:    map[string]string{"cache": "gz", "system": "gz"},
			wantPath: "{cache}/" + name + ".gz", wantCache: []string{name + ".gz"}},
		{name: "raw in cache", reason: "uncompressed files are accepted",
			files:    map[string]string{"cache": "raw"},
			wantPath: "{cache}/" + name, wantCache: []string{name}},
		{name: "system", reason: "Debian's directory is used as is, nothing is copied to the cache",
			files: map[string]string{"system": "gz"}, wantPath: "{system}/" + name + ".gz"},
		{name: "bad cache, good system", reason: "a bad cached file is removed and logged",
			files:    map[string]string{"cache": "corrupt", "system": "raw"},
			wantPath: "{system}/" + name,
			wantLog:  []string{"fashion: {cache}/" + name + ".gz: sha256 mismatch (got ", "; removed it from the cache\n"}},
		{name: "bad cache downloaded again", reason: "a corrupt cached file is removed and downloaded again",
			files:    map[string]string{"cache": "corrupt"},
			wantPath: "{cache}/" + name + ".gz", wantHits: 1, wantCache: []string{name + ".gz"},
			wantLog: []string{"fashion: {cache}/" + name + ".gz: sha256 mismatch (got ",
				"; removed it from the cache\nfashion: downloading http://"}},
		{name: "truncated cache downloaded again", reason: "an incomplete cached file is removed and downloaded again",
			files:    map[string]string{"cache": "truncated"},
			wantPath: "{cache}/" + name + ".gz", wantHits: 1, wantCache: []string{name + ".gz"},
			wantLog: []string{"fashion: {cache}/" + name + ".gz: bad gzip data: unexpected EOF " +
				"(the file is damaged or incomplete); removed it from the cache\n"}},
		{name: "bad system skipped", reason: "a bad system file cannot be removed; it is skipped and logged",
			files:    map[string]string{"system": "truncated"},
			wantPath: "{cache}/" + name + ".gz", wantHits: 1, wantCache: []string{name + ".gz"},
			wantLog:  []string{"fashion: {system}/" + name + ".gz: bad gzip data: unexpected EOF (the file is damaged or incomplete); skipping it\n"},
			wantKept: []string{"system"}},
		{name: "download", reason: "with no local copy the file is downloaded into the cache",
			wantPath: "{cache}/" + name + ".gz", wantHits: 1, wantCache: []string{name + ".gz"},
			wantLog: []string{"fashion: downloading http://"}},
		{name: "NoDownload", reason: "the error says where it looked, what turned downloading off and how to fix it",
			files: map[string]string{"system": "corrupt"}, noDownload: true,
			wantErr: []string{"fashion: " + name + ": no good " + name + ".gz or " + name + " found in {cache}, " +
				"{system} (bad copy skipped), and downloading is turned off by -no-download; install Debian's " +
				"dataset-fashion-mnist, set $LESSON_DATA_DIR to a directory holding the files, or allow downloading"},
			wantKept: []string{"system"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			places := map[string]string{}
			for _, place := range []string{"dir", "env", "cache", "system"} {
				places[place] = filepath.Join(t.TempDir(), place)
				if err := os.Mkdir(places[place], 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for place, form := range tt.files {
				writeFixture(t, places[place], name, form)
			}
			var pairs []string
			for place, dir := range places {
				pairs = append(pairs, "{"+place+"}", dir)
			}
			expand := strings.NewReplacer(pairs...).Replace

			mirrors, hits := newMirrors(t, "ok")
			var log strings.Builder
			opts := testOptions(t, places["cache"], mirrors, &log)
			opts.SystemDir = places["system"]
			opts.NoDownload = tt.noDownload
			if tt.noDownload {
				opts.NoDownloadSource = "-no-download"
			}
			if tt.dir != "" {
				opts.Dir, opts.DirSource = places[tt.dir], tt.dirSource
			}
			t.Setenv(DirEnv, places["env"])

			l := newLoader(opts)
			defer l.close()
			b, path, err := l.file(context.Background(), name)
			switch {
			case err != nil && tt.wantPath != "":
				t.Fatalf("file: %v (%s)\nlog:\n%s", err, tt.reason, log.String())
			case err == nil && tt.wantPath == "":
				t.Fatalf("file returned %s, want an error containing %q (%s)", path, tt.wantErr, tt.reason)
			case err == nil:
				if got, want := path, filepath.FromSlash(expand(tt.wantPath)); got != want {
					t.Errorf("file came from %s, want %s (%s)", got, want, tt.reason)
				}
				if diff := cmp.Diff(fixtureLabels(), b); diff != "" {
					t.Errorf("decoded bytes: mismatch (-want +got):\n%s", diff)
				}
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(err.Error(), expand(want)) {
					t.Errorf("error:\n  %v\nwant it to contain:\n  %s\n(%s)", err, expand(want), tt.reason)
				}
			}
			for _, want := range tt.wantLog {
				if !strings.Contains(log.String(), expand(want)) {
					t.Errorf("log:\n%s\nwant it to contain:\n  %s\n(%s)", log.String(), expand(want), tt.reason)
				}
			}
			if got := hits[0].Load(); got != tt.wantHits {
				t.Errorf("%d downloads, want %d (%s)", got, tt.wantHits, tt.reason)
			}
			for _, place := range tt.wantKept {
				file, _ := fixtureFile(t, name, tt.files[place])
				if _, err := os.Stat(filepath.Join(places[place], file)); err != nil {
					t.Errorf("the bad file in %s must be left alone: %v", place, err)
				}
			}
			checkCache(t, places["cache"], tt.wantCache)
		})
	}
}

// TestLoadErrors checks the errors of Load itself, on top of TestIDXCorruptInputs' format errors.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, reason string
		split        Split
		files        map[string][]byte // file name → bytes in an explicit Dir
		realSums     bool              // check against the real checksums instead of fixtureSums
		wantErr      string            // {dir} stands for the directory
	}{
		{name: "unknown split", reason: "only Train and Test exist", split: "validation",
			wantErr: `fashion: unknown split "validation": want "train" (fashion.Train) or "test" (fashion.Test)`},
		{name: "real checksum", reason: "the fixtures are not the real files", split: Test, realSums: true,
			files: map[string][]byte{"t10k-images-idx3-ubyte": fixtureImages(), "t10k-labels-idx1-ubyte": fixtureLabels()},
			wantErr: "fashion: {dir}/t10k-images-idx3-ubyte: sha256 mismatch (got " + sha256Hex(fixtureImages()) +
				", want 5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b); replace it with a good copy"},
		{name: "count mismatch", reason: "files with good checksums must still pair up", split: Train,
			files: map[string][]byte{"train-images-idx3-ubyte": fixtureImages(),
				"train-labels-idx1-ubyte": idxBytes(labelsMagic, []int{2}, []byte{1, 8})},
			wantErr: "fashion: {dir}/train-images-idx3-ubyte has 3 images but {dir}/train-labels-idx1-ubyte has 2 labels"},
		{name: "format error", reason: "a file whose checksum matches is still parsed", split: Train,
			files:   map[string][]byte{"train-images-idx3-ubyte": fixtureLabels(), "train-labels-idx1-ubyte": fixtureLabels()},
			wantErr: "fashion: {dir}/train-images-idx3-ubyte: magic number 0x00000801: want 0x00000803"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			sums := map[string]string{}
			for name, b := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
				sums[name] = sha256Hex(b)
			}
			opts := LoadOptions{Dir: dir, DirSource: "-data", checksums: sums}
			if tt.realSums {
				opts.checksums = nil
			}
			d, err := Load(context.Background(), tt.split, opts)
			if err == nil {
				t.Fatalf("Load returned %d examples, want an error containing %q (%s)", d.Len(), tt.wantErr, tt.reason)
			}
			want := strings.ReplaceAll(tt.wantErr, "{dir}", dir)
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Load error:\n  %v\nwant it to contain:\n  %s\n(%s)", err, want, tt.reason)
			}
		})
	}
}

// TestLoadDownloadsOnce loads both splits from a mirror, then again from the cache.
func TestLoadDownloadsOnce(t *testing.T) {
	mirrors, hits := newMirrors(t, "ok")
	cache := t.TempDir()
	want := fixtureData(t)
	for round, wantHits := range []int64{4, 4} {
		var log strings.Builder
		train, test, err := loadBoth(context.Background(), testOptions(t, cache, mirrors, &log))
		if err != nil {
			t.Fatalf("round %d: loadBoth: %v", round, err)
		}
		for _, got := range []*Data{train, test} {
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("round %d: loaded data: mismatch (-want +got):\n%s", round, diff)
			}
		}
		if got := hits[0].Load(); got != wantHits {
			t.Errorf("round %d: %d downloads in all, want %d", round, got, wantHits)
		}
		if round == 1 && log.Len() != 0 {
			t.Errorf("round %d: log %q, want nothing when every file is cached", round, log.String())
		}
	}
}
