package ckpt

import (
	"encoding/json"
	"testing"
)

// mustJSON marshals v without validation, for writing bad metadata on purpose.
func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
