// Command builddb turns the OSV reports of a golang.org/x/vulndb module
// snapshot (data/osv/GO-*.json) into the file layout govulncheck reads from
// a -db file:// URL (the layout of vuln.go.dev: index/db.json,
// index/modules.json, index/vulns.json, ID/<id>.json).
//
// Why: vuln.go.dev is unreachable from machines that reach only the package
// registries, but the Go module proxy serves the vulndb repository itself at
// pinned pseudo-versions; scripts/vulncheck.sh downloads a pinned one and
// scans against the database built here.
//
//	go run ./builddb -src $(go mod download -json golang.org/x/vulndb@V | jq -r .Dir)/data/osv -out DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// entry is the part of an OSV report the indexes need; the report itself is
// copied byte for byte.
type entry struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Aliases  []string  `json:"aliases,omitempty"`
	Affected []struct {
		Module struct {
			Path string `json:"path"`
		} `json:"module"`
		Package struct { // the GHSA-derived reports name the module here
			Name string `json:"name"`
		} `json:"package"`
		Ranges []struct {
			Type   string `json:"type"`
			Events []struct {
				Introduced string `json:"introduced,omitempty"`
				Fixed      string `json:"fixed,omitempty"`
			} `json:"events"`
		} `json:"ranges"`
	} `json:"affected"`
}

type moduleVuln struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Fixed    string    `json:"fixed,omitempty"`
}

type moduleIndex struct {
	Path  string       `json:"path"`
	Vulns []moduleVuln `json:"vulns"`
}

type vulnIndex struct {
	ID       string    `json:"id"`
	Modified time.Time `json:"modified"`
	Aliases  []string  `json:"aliases,omitempty"`
}

func main() {
	src := flag.String("src", "", "the data/osv directory of a golang.org/x/vulndb snapshot")
	out := flag.String("out", "", "directory to write the database into (replaced)")
	snapshot := flag.String("modified", "", "the database's modified time (RFC 3339), e.g. the snapshot's commit time")
	flag.Parse()
	if *src == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := build(*src, *out, *snapshot); err != nil {
		fmt.Fprintln(os.Stderr, "builddb:", err)
		os.Exit(1)
	}
}

func build(src, out, snapshot string) error {
	files, err := filepath.Glob(filepath.Join(src, "GO-*.json"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no GO-*.json reports in %s", src)
	}
	dbModified := time.Time{}
	if snapshot != "" {
		if dbModified, err = time.Parse(time.RFC3339, snapshot); err != nil {
			return fmt.Errorf("-modified: %w", err)
		}
	}
	tmp := out + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(tmp, "ID"), 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(tmp, "index"), 0o755); err != nil {
		return err
	}
	modules := map[string][]moduleVuln{}
	var vulns []vulnIndex
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var e entry
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(f), err)
		}
		if e.ID == "" || !strings.HasPrefix(filepath.Base(f), e.ID) {
			return fmt.Errorf("%s: id %q does not match the file name", filepath.Base(f), e.ID)
		}
		// The repository's reports carry a zero modified time (the deployed
		// database fills it from history); the snapshot time stands in.
		if e.Modified.IsZero() {
			e.Modified = dbModified
		}
		if e.Modified.After(dbModified) {
			dbModified = e.Modified
		}
		if err := os.WriteFile(filepath.Join(tmp, "ID", e.ID+".json"), raw, 0o644); err != nil {
			return err
		}
		vulns = append(vulns, vulnIndex{ID: e.ID, Modified: e.Modified, Aliases: e.Aliases})
		seen := map[string]bool{}
		for _, a := range e.Affected {
			path := a.Module.Path
			if path == "" {
				path = a.Package.Name
			}
			if path == "" || seen[path] {
				continue
			}
			seen[path] = true
			modules[path] = append(modules[path], moduleVuln{ID: e.ID, Modified: e.Modified, Fixed: latestFixed(a.Ranges)})
		}
	}
	var mods []moduleIndex
	for path, vs := range modules {
		sort.Slice(vs, func(i, j int) bool { return vs[i].ID < vs[j].ID })
		mods = append(mods, moduleIndex{Path: path, Vulns: vs})
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].Path < mods[j].Path })
	sort.Slice(vulns, func(i, j int) bool { return vulns[i].ID < vulns[j].ID })
	for name, v := range map[string]any{
		"db.json": struct {
			Modified time.Time `json:"modified"`
		}{dbModified},
		"modules.json": mods,
		"vulns.json":   vulns,
	} {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(tmp, "index", name), b, 0o644); err != nil {
			return err
		}
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	fmt.Printf("builddb: %d reports, %d modules -> %s\n", len(vulns), len(mods), out)
	return nil
}

// latestFixed is the highest "fixed" event of the SEMVER ranges: the index
// only needs a hint (govulncheck reads the full report for the verdict).
func latestFixed(ranges []struct {
	Type   string `json:"type"`
	Events []struct {
		Introduced string `json:"introduced,omitempty"`
		Fixed      string `json:"fixed,omitempty"`
	} `json:"events"`
}) string {
	fixed := ""
	for _, r := range ranges {
		if r.Type != "SEMVER" {
			continue
		}
		for _, ev := range r.Events {
			if ev.Fixed != "" && semverLess(fixed, ev.Fixed) {
				fixed = ev.Fixed
			}
		}
	}
	return fixed
}

// semverLess compares the dotted numeric prefix of two versions ("" is
// lowest); enough for a hint.
func semverLess(a, b string) bool {
	if a == "" {
		return true
	}
	pa, pb := strings.Split(strings.SplitN(a, "-", 2)[0], "."), strings.Split(strings.SplitN(b, "-", 2)[0], ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		var x, y int
		fmt.Sscan(pa[i], &x)
		fmt.Sscan(pb[i], &y)
		if x != y {
			return x < y
		}
	}
	return len(pa) < len(pb)
}
