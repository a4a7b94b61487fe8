// Command gen-protocol writes web/src/api/protocol.gen.ts from internal/protocol.
package main

import (
	"fmt"
	"os"

	"github.com/backchannel-chat/backchannel/internal/protocol/tsgen"
)

func main() {
	out := "web/src/api/protocol.gen.ts"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	if err := os.WriteFile(out, tsgen.Generate(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen-protocol:", err)
		os.Exit(1)
	}
}
