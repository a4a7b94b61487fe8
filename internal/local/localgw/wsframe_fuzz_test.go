package localgw

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
	"unicode/utf8"
)

// maskedFrame is a client frame (masked with key) for the seed corpus.
func maskedFrame(fin bool, op opcode, key [4]byte, payload []byte) []byte {
	b := []byte{byte(op)}
	if fin {
		b[0] |= 0x80
	}
	switch n := len(payload); {
	case n <= 125:
		b = append(b, 0x80|byte(n))
	case n <= 0xFFFF:
		b = append(b, 0x80|126, byte(n>>8), byte(n))
	default:
		b = append(b, 0x80|127, 0, 0, 0, 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	b = append(b, key[:]...)
	for i, c := range payload {
		b = append(b, c^key[i%4])
	}
	return b
}

// FuzzReadFrames feeds arbitrary bytes to the gateway's frame reader the way
// conn.readFrames does (header, checks, size limit, payload, close body):
// it must never panic, never allocate beyond the limits, and whatever it
// accepts must be consistent with the header it read.
func FuzzReadFrames(f *testing.F) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	f.Add(maskedFrame(true, opText, key, []byte(`{"action":"ping"}`)))
	f.Add(maskedFrame(false, opText, key, []byte(`{"act`)))
	f.Add(append(maskedFrame(false, opText, key, []byte(`{"act`)), maskedFrame(true, opContinuation, key, []byte(`ion":"ping"}`))...))
	f.Add(maskedFrame(true, opBinary, key, []byte{0xff, 0xfe}))
	f.Add(maskedFrame(true, opPing, key, []byte("hi")))
	f.Add(maskedFrame(true, opClose, key, closePayload(1000, "bye")))
	f.Add(maskedFrame(true, opClose, key, []byte{0x03}))
	f.Add(maskedFrame(true, opClose, key, append(closePayload(4000, ""), 0xc3)))
	f.Add(maskedFrame(true, opText, key, bytes.Repeat([]byte("x"), 300)))
	f.Add(appendFrame(nil, opText, []byte("unmasked")))
	f.Add([]byte{0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0xf1, 0x80, 1, 2, 3, 4})
	const maxFrame, maxMessage = 32 << 10, 128 << 10
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bufio.NewReader(bytes.NewReader(data))
		inMessage := false
		var msgLen uint64
		for range 64 {
			h, err := readFrameHeader(r)
			if err != nil {
				var ce *closeError
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, &ce) {
					t.Fatalf("readFrameHeader: unexpected error type %T: %v", err, err)
				}
				return
			}
			if h.length>>63 != 0 {
				t.Fatalf("accepted a 64-bit length with the top bit set: %d", h.length)
			}
			if err := checkHeader(h, inMessage); err != nil {
				var ce *closeError
				if !errors.As(err, &ce) || ce.code != closeProtocolError {
					t.Fatalf("checkHeader: %v, want a 1002 closeError", err)
				}
				return
			}
			if !h.masked || h.rsv != 0 || !h.op.isKnown() {
				t.Fatalf("checkHeader accepted %+v", h)
			}
			if h.op.isControl() {
				if h.length > maxControlPayloadLen || !h.fin {
					t.Fatalf("checkHeader accepted control frame %+v", h)
				}
			} else if h.length > maxFrame || msgLen+h.length > maxMessage {
				return // conn.readFrames closes with 1009 before reading
			}
			p, err := readPayload(r, h)
			if err != nil {
				return
			}
			if uint64(len(p)) != h.length {
				t.Fatalf("payload of %d bytes for a header of %d", len(p), h.length)
			}
			switch {
			case h.op == opClose:
				code, reason, err := parseClosePayload(p)
				if err != nil {
					return
				}
				if code != closeNoStatus && !validCloseCode(code) {
					t.Fatalf("parseClosePayload accepted code %d", code)
				}
				if !utf8.ValidString(reason) {
					t.Fatalf("parseClosePayload accepted reason %q", reason)
				}
				// The echo the gateway sends back must parse the same way.
				if c2, r2, err := parseClosePayload(closePayload(code, reason)); err != nil || c2 != code || r2 != reason {
					t.Fatalf("echo of close %d %q parses as %d %q, %v", code, reason, c2, r2, err)
				}
				return
			case h.op.isControl():
			default:
				if h.op != opContinuation {
					inMessage = true
					msgLen = 0
				}
				msgLen += h.length
				if h.fin {
					inMessage = false
				}
			}
		}
	})
}

// FuzzServerFrames: every frame and close body the gateway writes parses
// back (header, payload and close status) as what it meant to send.
func FuzzServerFrames(f *testing.F) {
	f.Add(byte(opText), []byte(`{"type":"pong"}`), 1000, "bye")
	f.Add(byte(opBinary), bytes.Repeat([]byte{0}, 70000), 1001, "Going away")
	f.Add(byte(opClose), []byte{}, 4000, "é"+string(bytes.Repeat([]byte("x"), 122)))
	f.Add(byte(opPong), []byte("ping"), 1009, "Message too big")
	f.Fuzz(func(t *testing.T, op byte, payload []byte, code int, reason string) {
		o := opcode(op & 0x0F)
		if !o.isKnown() || o == opContinuation || (o.isControl() && len(payload) > maxControlPayloadLen) {
			return
		}
		wire := appendFrame(nil, o, payload)
		r := bufio.NewReader(bytes.NewReader(wire))
		h, err := readFrameHeader(r)
		if err != nil {
			t.Fatalf("readFrameHeader(appendFrame): %v", err)
		}
		if !h.fin || h.op != o || h.masked || h.length != uint64(len(payload)) {
			t.Fatalf("appendFrame(%v, %d bytes) reads back as %+v", o, len(payload), h)
		}
		p, err := readPayload(r, h)
		if err != nil || !bytes.Equal(p, payload) {
			t.Fatalf("payload does not read back: %v", err)
		}
		if !validCloseCode(code) || !utf8.ValidString(reason) {
			return
		}
		body := closePayload(code, reason)
		if len(body) > maxControlPayloadLen {
			t.Fatalf("close body of %d bytes is over the control frame limit", len(body))
		}
		c2, r2, err := parseClosePayload(body)
		if err != nil || c2 != code {
			t.Fatalf("closePayload(%d, %q) parses as %d, %v", code, reason, c2, err)
		}
		if len(reason) <= maxControlPayloadLen-2 && r2 != reason {
			t.Fatalf("closePayload(%d, %q): reason parses as %q", code, reason, r2)
		}
	})
}
