// Package wsapi holds the WebSocket Lambda handlers: the connection handler
// ($connect, $disconnect) and the action handler (the $default route:
// every action). The action handler is derived from protocol.ActionTable: for
// each row it calls the service.Chat method of the same name, after loading
// the caller's connection and charging the row's rate budget. The calls are
// generated (actions.gen.go, written by scripts/gen-protocol with package
// bindgen), not looked up by reflection at run time: a reflect Method
// lookup would make the linker keep every exported method of every
// reachable type. Each handler
// only parses the API Gateway event, calls the chat service and maps its
// error to a reply; the rules live in the service.
package wsapi
