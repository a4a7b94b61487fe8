package localtenor_test

import (
	"bytes"
	"encoding/json"
	"image/gif"
	"io"
	"net/http"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/local/localtenor"
)

func start(t *testing.T) *localtenor.Server {
	t.Helper()
	s, err := localtenor.Start("127.0.0.1:0", "k3y")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func get(t *testing.T, url string) (int, []byte, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func TestTheGIFsAreAnimated(t *testing.T) {
	s := start(t)
	for _, tiny := range []bool{false, true} {
		g, err := gif.DecodeAll(bytes.NewReader(s.GIF("lt1", tiny)))
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Image) < 2 {
			t.Errorf("tiny=%v: %d frames, want an animation", tiny, len(g.Image))
		}
	}
}

func TestSearchSpeaksTenorsShape(t *testing.T) {
	s := start(t)
	code, body, _ := get(t, s.URL()+"/v2/search?key=k3y&q=cat&limit=1&media_filter=gif,tinygif")
	if code != 200 {
		t.Fatalf("HTTP %d %s", code, body)
	}
	var page struct {
		Results []struct {
			ID           string `json:"id"`
			Description  string `json:"content_description"`
			MediaFormats map[string]struct {
				URL  string `json:"url"`
				Dims []int  `json:"dims"`
				Size int    `json:"size"`
			} `json:"media_formats"`
		} `json:"results"`
		Next string `json:"next"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 1 || page.Next != "1" {
		t.Fatalf("page %+v", page)
	}
	f := page.Results[0].MediaFormats["gif"]
	if len(f.Dims) != 2 || f.Dims[0] != 96 || f.Size == 0 {
		t.Errorf("gif format %+v", f)
	}
	code, img, h := get(t, f.URL)
	if code != 200 || h.Get("Content-Type") != "image/gif" || len(img) != f.Size {
		t.Errorf("media: HTTP %d %s %d bytes", code, h.Get("Content-Type"), len(img))
	}
	code, body, _ = get(t, s.URL()+"/v2/search?key=k3y&q=cat&limit=1&pos=1")
	if code != 200 || !bytes.Contains(body, []byte(`"next":"0"`)) {
		t.Errorf("second page: HTTP %d %s", code, body)
	}
}

func TestWrongKeyAnswersTenorsError(t *testing.T) {
	s := start(t)
	for _, u := range []string{"/v2/search?q=cat", "/v2/search?q=cat&key=nope", "/v2/featured?key="} {
		code, body, _ := get(t, s.URL()+u)
		if code != 400 || !bytes.Contains(body, []byte(`"status":"INVALID_ARGUMENT"`)) {
			t.Errorf("%s: HTTP %d %s", u, code, body)
		}
	}
	if s.Calls() != 0 {
		t.Errorf("calls %d", s.Calls())
	}
	if code, _, _ := get(t, s.URL()+"/media/lt1/other.gif"); code != 404 {
		t.Errorf("unknown media: HTTP %d", code)
	}
}
