// Command thumbnail is the Lambda behind the files bucket's object-created
// notification (prefix rooms/): it writes a JPEG thumbnail of each image
// under thumbs/.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/thumbnailapp"
)

func main() {
	ctx := context.Background()
	cfg, err := app.ThumbnailConfigFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	h, err := thumbnailapp.Build(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
