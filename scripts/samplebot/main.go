// Command samplebot runs the sample bot against `make dev`: it reads the
// chat events make dev's EventBridge stand-in received (GET /events on the
// web server, the events a rule's target would get) once a second and
// hands each new message.created to the same handler the Lambda runs
// (internal/samplebot), which answers over the bot HTTP API.
//
//	BOT_TOKEN=bcb_… go run ./scripts/samplebot [--url http://127.0.0.1:8080]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/samplebot"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "make dev's web server (the HTTP API and /events)")
	flag.Parse()
	token := os.Getenv("BOT_TOKEN")
	if token == "" {
		fmt.Fprintln(os.Stderr, "samplebot: set BOT_TOKEN to the bot's token (Manage people -> Bots)")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	base := strings.TrimRight(*url, "/")
	bot := &samplebot.Bot{API: base, Token: token}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	seen := map[string]bool{}
	first := true
	for {
		evs, err := recent(ctx, base)
		if err != nil {
			log.Warn("read events", "error", err)
		}
		for _, ev := range evs {
			if seen[ev.ID] {
				continue
			}
			seen[ev.ID] = true
			if first {
				continue // what happened before the bot started is not its business
			}
			if err := bot.Handle(ctx, ev); err != nil {
				log.Error("handle", "id", ev.ID, "error", err)
			} else {
				log.Info("handled", "id", ev.ID, "detailType", ev.DetailType)
			}
		}
		first = false
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// recent lists the stand-in's recent message.created events.
func recent(ctx context.Context, base string) ([]events.EventBridgeEvent, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/events?detail-type=message.created", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /events: %s", resp.Status)
	}
	var out struct {
		Events []events.EventBridgeEvent `json:"events"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	return out.Events, nil
}
