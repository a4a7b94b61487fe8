// Package local_test guards the line between the deployed code and the
// local-only code under internal/local (the gateway emulator, the dev stack,
// S3 notification emulation, the test environment and test servers): no
// Lambda may link any of it.
package local_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/backchannel-chat/backchannel"

func TestFunctionsDoNotImportLocalOnlyCode(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not on PATH")
	}
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", module+"/functions/...")
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	var sawFunction bool
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, module+"/functions/") {
			sawFunction = true
		}
		if strings.HasPrefix(pkg, module+"/internal/local/") || pkg == module+"/internal/local" {
			t.Errorf("a function links local-only package %s", pkg)
		}
	}
	if !sawFunction {
		t.Fatalf("go list found no functions:\n%s", out)
	}
}
