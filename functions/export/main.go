// Command export is the Lambda on the export queue: each record is one
// person's data export (internal/export): it writes the archive (JSON and
// the person's files, one zip, spooled through /tmp) to the files bucket
// under exports/<userId>/<id>.zip, marks the export ready and tells the
// person's connections, or emails them when they have none
// (ReportBatchItemFailures for a job worth a retry).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/exportapp"
)

func main() {
	ctx := context.Background()
	cfg, err := app.ExportConfigFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w, err := exportapp.Build(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(w.Handle)
}
