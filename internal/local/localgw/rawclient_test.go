package localgw

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A raw RFC 6455 client for what websocket libraries will not send:
// unmasked or malformed frames, exact frame headers.

// clientFrame encodes one masked client frame.
func clientFrame(fin bool, op opcode, payload []byte) []byte {
	var key [4]byte
	_, _ = rand.Read(key[:])
	masked := make([]byte, len(payload))
	for i, b := range payload {
		masked[i] = b ^ key[i%4]
	}
	f := appendFrame(nil, op, masked)
	if !fin {
		f[0] &^= 0x80
	}
	// Insert the mask bit and key after the length field.
	headerLen := 2
	switch f[1] {
	case 126:
		headerLen = 4
	case 127:
		headerLen = 10
	}
	f[1] |= 0x80
	out := append([]byte{}, f[:headerLen]...)
	out = append(out, key[:]...)
	return append(out, f[headerLen:]...)
}

// readServerFrame reads one unmasked server frame.
func readServerFrame(t *testing.T, br *bufio.Reader) (opcode, []byte) {
	t.Helper()
	h, err := readFrameHeader(br)
	if err != nil {
		t.Fatalf("read frame header: %v", err)
	}
	if h.masked || !h.fin {
		t.Fatalf("server frame masked=%v fin=%v", h.masked, h.fin)
	}
	p, err := readPayload(br, h)
	if err != nil {
		t.Fatalf("read payload: %v", err)
	}
	return h.op, p
}

// rawDial performs the opening handshake over a plain TCP connection.
func rawDial(t *testing.T, g *Gateway) (net.Conn, *bufio.Reader) {
	t.Helper()
	host := strings.TrimPrefix(strings.TrimSuffix(g.URL(), "/local"), "ws://")
	nc, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(testTimeout))
	keyBytes := make([]byte, 16)
	_, _ = rand.Read(keyBytes)
	key := base64.StdEncoding.EncodeToString(keyBytes)
	fmt.Fprintf(nc, "GET /local HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", host, key)
	br := bufio.NewReader(nc)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Accept") != acceptKey(key) {
		t.Fatalf("handshake answer %d, accept %q", resp.StatusCode, resp.Header.Get("Sec-WebSocket-Accept"))
	}
	return nc, br
}

// pipeConn serves an established connection over one end of a net.Pipe,
// without a listener (used inside synctest bubbles).
func pipeConn(g *Gateway, server net.Conn) *conn {
	c := &conn{g: g, id: newConnectionID(), connectedAt: time.Now(), sourceIP: "127.0.0.1", userAgent: "pipe"}
	c.log = g.log.With("connectionId", c.id)
	c.attach(server, bufio.NewReader(server))
	g.wg.Add(1) // the handshake's slot
	defer g.wg.Done()
	g.register(c)
	c.start()
	return c
}
