package app

import (
	"reflect"
	"strings"
	"testing"
)

func TestGifVariables(t *testing.T) {
	base := map[string]string{EnvTableName: "t", EnvCallbackURL: "http://x"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cfg, err := readActions(env(base))
	if err != nil || cfg.Gifs.On() {
		t.Fatalf("no key: %+v, %v (want GIFs off)", cfg.Gifs, err)
	}
	cfg, err = readActions(env(with(map[string]string{
		EnvGifAPIKeySecretARN: "arn:aws:secretsmanager:eu-west-1:1:secret:gif-AbCdEf",
		EnvGifProvider:        "Tenor",
		EnvGifMediaOrigins:    "http://127.0.0.1:9000/, https://media.tenor.com",
		EnvGifEndpointURL:     "http://127.0.0.1:9000",
	})))
	want := GifSettings{Provider: "tenor", KeySecretARN: "arn:aws:secretsmanager:eu-west-1:1:secret:gif-AbCdEf",
		EndpointURL: "http://127.0.0.1:9000", MediaOrigins: []string{"http://127.0.0.1:9000", "https://media.tenor.com"}}
	if err != nil || !reflect.DeepEqual(cfg.Gifs, want) || !cfg.Gifs.On() {
		t.Errorf("got %+v, %v", cfg.Gifs, err)
	}
	for name, vars := range map[string]map[string]string{
		"imgur":           {EnvGifProvider: "imgur", EnvGifAPIKey: "k"},
		"both keys":       {EnvGifAPIKey: "k", EnvGifAPIKeySecretARN: "arn"},
		"bad endpoint":    {EnvGifAPIKey: "k", EnvGifEndpointURL: "ftp://x"},
		"origin w/ path":  {EnvGifAPIKey: "k", EnvGifMediaOrigins: "https://media.tenor.com/x"},
		"origin w/o host": {EnvGifAPIKey: "k", EnvGifMediaOrigins: "media.tenor.com"},
	} {
		_, err := readActions(env(with(vars)))
		if err == nil || !strings.Contains(err.Error(), "GIF_") {
			t.Errorf("%s: err %v", name, err)
		}
	}
	full, err := readConfig(env(with(map[string]string{EnvCognitoIssuer: "i", EnvCognitoClientID: "c", EnvGifAPIKey: "k"})))
	if err != nil || full.Actions().Gifs.Key != "k" {
		t.Errorf("the in-process config: %+v, %v", full.Gifs, err)
	}
}

func TestGifProviderGiphy(t *testing.T) {
	cfg, err := readActions(env(map[string]string{EnvTableName: "t", EnvCallbackURL: "http://x", EnvGifProvider: "giphy", EnvGifAPIKey: "k"}))
	if err != nil || cfg.Gifs.Provider != "giphy" || !cfg.Gifs.On() {
		t.Errorf("%+v, %v", cfg.Gifs, err)
	}
}

// HTTP_API_URL (the actions function: commands' responseUrl) is read
// without its trailing slash; absent, it is empty (no responseUrl).
func TestHTTPAPIURLVariable(t *testing.T) {
	base := map[string]string{EnvTableName: "t", EnvCallbackURL: "http://x"}
	if cfg, err := readActions(env(base)); err != nil || cfg.HTTPAPIURL != "" {
		t.Fatalf("absent: %q, %v", cfg.HTTPAPIURL, err)
	}
	base[EnvHTTPAPIURL] = "https://abc.execute-api.eu-west-1.amazonaws.com/"
	if cfg, err := readActions(env(base)); err != nil || cfg.HTTPAPIURL != "https://abc.execute-api.eu-west-1.amazonaws.com" {
		t.Fatalf("set: %q, %v", cfg.HTTPAPIURL, err)
	}
}
