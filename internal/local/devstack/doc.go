// Package devstack runs the local stand-ins of the AWS services the chat
// uses, for `make dev` (scripts/dev), `make test` (scripts/testenv) and the
// integration test helpers (internal/local/testenv):
//
//   - DynamoDB Local, the official emulator, fetched from Maven Central into
//     .cache/dynamodb-local and run as a child JVM;
//   - cognito-local, from the repository's root package.json, run as a
//     child Node.js process;
//   - gofakes3, in-process.
//
// Children run in their own process group and are stopped with the whole
// group; they also get SIGKILL from the kernel if this process dies without
// stopping them (Pdeathsig), so nothing outlives the runner.
//
// Provisioning (the table, the user pool with its app client and groups, the
// files bucket) is idempotent and looks resources up by name first, so a
// stack kept with --data gets the same ids on every run.
package devstack
