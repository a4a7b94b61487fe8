// Package main calls strings.ToUpper, which the fixture database of
// scripts/vulncheck.sh --self-test declares vulnerable.
package main

import (
	"fmt"
	"os"
	"strings"
)

func main() { fmt.Println(strings.ToUpper(os.Args[0])) }
