// Command lint checks a Dockerfile with BuildKit's own lint rules, the checks
// `docker build --check` runs (https://docs.docker.com/reference/build-checks/),
// and the shell of each RUN instruction with shellcheck (in the stage's SHELL:
// sh, or bash after SHELL ["/bin/bash", ...]), offline: base images are not
// resolved (each is taken as an empty linux/amd64 image), so it needs no
// Docker engine and no registry.
//
// Usage, from the repository root:
//
//	(cd docker/lint && go run . ../Dockerfile)
//
// It prints one line per finding and exits 1 if there is any, 2 if the
// Dockerfile does not parse or shellcheck is missing.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerui"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// offlineResolver answers every base image with an empty linux/amd64 image.
type offlineResolver struct{}

func (offlineResolver) ResolveImageConfig(_ context.Context, ref string, _ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	img := ocispecs.Image{Platform: ocispecs.Platform{OS: "linux", Architecture: "amd64"}}
	dt, err := json.Marshal(img)
	return ref, digest.FromBytes(dt), dt, err
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: lint DOCKERFILE")
		os.Exit(2)
	}
	path := os.Args[1]
	dt, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "lint: %v\n", err)
		os.Exit(2)
	}
	source := llb.NewSourceMap(nil, path, "Dockerfile", dt)
	source.Definition = &llb.Definition{}
	res, err := dockerfile2llb.DockerfileLint(context.Background(), dt, dockerfile2llb.ConvertOpt{
		Config:       dockerui.Config{},
		SourceMap:    source,
		MetaResolver: offlineResolver{},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "lint: %s: %v\n", path, err)
		os.Exit(2)
	}
	if res.Error != nil {
		fmt.Fprintf(os.Stderr, "lint: %s: %s\n", path, res.Error.Message)
		os.Exit(2)
	}
	findings := 0
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		fmt.Printf("%s:%d: %s: %s (%s)\n", path, line, w.RuleName, w.Detail, w.URL)
		findings++
	}
	n, err := shellcheckRuns(path, dt)
	if err != nil {
		fmt.Fprintf(os.Stderr, "lint: %v\n", err)
		os.Exit(2)
	}
	findings += n
	if findings > 0 {
		os.Exit(1)
	}
	fmt.Printf("%s: no BuildKit lint warnings, shellcheck clean\n", path)
}

// shellcheckRuns runs shellcheck on the command of every shell-form RUN
// instruction, prints its findings with the Dockerfile's line, and returns
// how many RUN instructions it flagged.
func shellcheckRuns(path string, dt []byte) (int, error) {
	if _, err := exec.LookPath("shellcheck"); err != nil {
		return 0, fmt.Errorf("shellcheck not found (Debian: apt-get install shellcheck): %w", err)
	}
	ast, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	shell, flagged := "sh", 0
	for _, node := range ast.AST.Children {
		switch strings.ToLower(node.Value) {
		case "from":
			shell = "sh"
		case "shell":
			if node.Next != nil && strings.HasSuffix(node.Next.Value, "bash") {
				shell = "bash"
			} else {
				shell = "sh"
			}
		case "run":
			if node.Attributes["json"] || node.Next == nil {
				continue
			}
			script := "#!/bin/" + shell + "\n" + node.Next.Value + "\n"
			cmd := exec.Command("shellcheck", "--shell="+shell, "--format=gcc", "-")
			cmd.Stdin = strings.NewReader(script)
			out, err := cmd.CombinedOutput()
			if err == nil {
				continue
			}
			if _, ok := err.(*exec.ExitError); !ok {
				return flagged, fmt.Errorf("shellcheck: %w", err)
			}
			flagged++
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				// "-:2:10: warning: ... [SC2086]": every RUN is one line here.
				parts := strings.SplitN(l, ":", 4)
				msg := l
				if len(parts) == 4 {
					msg = strings.TrimSpace(parts[3])
				}
				fmt.Printf("%s:%d: shellcheck (RUN, %s): %s\n", path, node.StartLine, shell, msg)
			}
		}
	}
	return flagged, nil
}
