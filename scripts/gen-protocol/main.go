// Command gen-protocol writes the code derived from internal/protocol's
// action table and wire types: web/src/api/protocol.gen.ts (the TypeScript
// types) and internal/wsapi/actions.gen.go (the invokers that call the
// service.Chat method of each action). Run it from the module root.
//
// Usage: go run ./scripts/gen-protocol [ts-out [go-out]]
package main

import (
	"fmt"
	"os"

	"github.com/backchannel-chat/backchannel/internal/protocol/tsgen"
	"github.com/backchannel-chat/backchannel/internal/wsapi/bindgen"
)

func main() {
	tsOut, goOut := "web/src/api/protocol.gen.ts", bindgen.Path
	if len(os.Args) > 1 {
		tsOut = os.Args[1]
	}
	if len(os.Args) > 2 {
		goOut = os.Args[2]
	}
	// The Go first: a row without its method fails before anything is written.
	src, err := bindgen.Generate()
	if err != nil {
		fail(err)
	}
	if err := os.WriteFile(tsOut, tsgen.Generate(), 0o644); err != nil {
		fail(err)
	}
	if err := os.WriteFile(goOut, src, 0o644); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen-protocol:", err)
	os.Exit(1)
}
