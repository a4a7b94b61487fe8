// Command cfn-localstack cuts the synthesized stack (`make synth` ->
// cdk.out/) down to the resources LocalStack's free edition deploys through
// CloudFormation, replacing references to the others with placeholders (see
// Filter), and prints the result; the dropped resources go to stderr.
//
//	go run ./scripts/cfn-localstack [cdk.out/Backchannel.template.json] > template.json
//
// Its test (deploy_test.go, in `make test-localstack`) deploys the result
// through LocalStack's CloudFormation and checks the table and buckets.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	path := ""
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	if path == "" {
		var err error
		if path, err = FindTemplate("cdk.out"); err != nil {
			fmt.Fprintln(os.Stderr, "cfn-localstack:", err)
			os.Exit(1)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cfn-localstack:", err)
		os.Exit(1)
	}
	f, err := Filter(raw)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cfn-localstack:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "cfn-localstack: %s: dropped %d resources LocalStack's free edition lacks:\n%s", path, len(f.Dropped), f.Summary())
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(f.Template); err != nil {
		fmt.Fprintln(os.Stderr, "cfn-localstack:", err)
		os.Exit(1)
	}
}

// FindTemplate finds the chat stack's template in a cdk.out directory: the
// one template declaring a DynamoDB table.
func FindTemplate(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("%w (run `make synth` first)", err)
	}
	for _, e := range entries {
		name := e.Name()
		if len(name) < len(".template.json") || name[len(name)-len(".template.json"):] != ".template.json" {
			continue
		}
		b, err := os.ReadFile(dir + "/" + name)
		if err == nil && json.Valid(b) && containsTable(b) {
			return dir + "/" + name, nil
		}
	}
	return "", fmt.Errorf("no template with a DynamoDB table in %s (run `make synth` first)", dir)
}

func containsTable(b []byte) bool {
	var t struct {
		Resources map[string]struct{ Type string }
	}
	if json.Unmarshal(b, &t) != nil {
		return false
	}
	for _, r := range t.Resources {
		if r.Type == "AWS::DynamoDB::Table" {
			return true
		}
	}
	return false
}
