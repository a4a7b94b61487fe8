package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestAppOrigin(t *testing.T) {
	if got := appOrigin("http://127.0.0.1:8080/"); got != "http://localhost:8080/" {
		t.Errorf("appOrigin = %q", got)
	}
}

// TestDemoSite: the demo page embeds the widget from the app's origin with
// the seeded id, takes ?lang= and ?widget= only when well-formed, and its
// origin is the one the seed allows.
func TestDemoSite(t *testing.T) {
	d, err := startDemo(0, "http://localhost:8080/")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.setWidget("wid_seeded")
	if !strings.HasPrefix(d.url, d.origin+"/") || !strings.HasPrefix(d.origin, "http://127.0.0.1:") {
		t.Fatalf("url %q origin %q", d.url, d.origin)
	}
	get := func(q string) string {
		t.Helper()
		res, err := http.Get(d.url + q)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", q, res.StatusCode)
		}
		return string(b)
	}
	page := get("")
	if !strings.Contains(page, `<script src="http://localhost:8080/widget/v1/widget.js" data-widget="wid_seeded" async></script>`) {
		t.Errorf("no embed snippet in the page:\n%s", page)
	}
	if page := get(`?lang=de&widget=wid_other`); !strings.Contains(page, `data-widget="wid_other" data-lang="de"`) {
		t.Errorf("?lang=de&widget=wid_other not taken:\n%s", page)
	}
	if page := get(`?lang=fr&widget=%22%3E%3Cscript%3E`); !strings.Contains(page, `data-widget="wid_seeded" async`) || strings.Contains(page, `data-lang`) {
		t.Errorf("a malformed ?widget= or ?lang= was used:\n%s", page)
	}
}
