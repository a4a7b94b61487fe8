package localgw

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// The server side of RFC 6455 framing. Written here rather than borrowed
// because the gateway must see each frame's size to enforce API Gateway's
// per-frame limit, which WebSocket libraries hide.

type opcode byte

const (
	opContinuation opcode = 0x0
	opText         opcode = 0x1
	opBinary       opcode = 0x2
	opClose        opcode = 0x8
	opPing         opcode = 0x9
	opPong         opcode = 0xA
)

func (op opcode) isControl() bool { return op&0x8 != 0 }

func (op opcode) isKnown() bool {
	switch op {
	case opContinuation, opText, opBinary, opClose, opPing, opPong:
		return true
	}
	return false
}

// Close status codes (RFC 6455 section 7.4.1).
const (
	closeNormal          = 1000
	closeGoingAway       = 1001
	closeProtocolError   = 1002
	closeUnsupportedData = 1003
	closeNoStatus        = 1005 // never sent on the wire
	closeAbnormal        = 1006 // never sent on the wire
	closeInvalidPayload  = 1007
	closeMessageTooBig   = 1009
	maxControlPayloadLen = 125
)

type frameHeader struct {
	fin     bool
	rsv     byte
	op      opcode
	masked  bool
	length  uint64
	maskKey [4]byte
}

// readFrameHeader parses one frame header; it does not read the payload.
func readFrameHeader(r *bufio.Reader) (frameHeader, error) {
	var h frameHeader
	var b [8]byte
	if _, err := io.ReadFull(r, b[:2]); err != nil {
		return h, err
	}
	h.fin = b[0]&0x80 != 0
	h.rsv = b[0] & 0x70
	h.op = opcode(b[0] & 0x0F)
	h.masked = b[1]&0x80 != 0
	switch n := b[1] & 0x7F; n {
	case 126:
		if _, err := io.ReadFull(r, b[:2]); err != nil {
			return h, err
		}
		h.length = uint64(binary.BigEndian.Uint16(b[:2]))
	case 127:
		if _, err := io.ReadFull(r, b[:8]); err != nil {
			return h, err
		}
		h.length = binary.BigEndian.Uint64(b[:8])
		if h.length>>63 != 0 {
			return h, errProtocol("64-bit length with the most significant bit set")
		}
	default:
		h.length = uint64(n)
	}
	if h.masked {
		if _, err := io.ReadFull(r, h.maskKey[:]); err != nil {
			return h, err
		}
	}
	return h, nil
}

// readPayload reads and unmasks a frame payload whose length was checked.
func readPayload(r *bufio.Reader, h frameHeader) ([]byte, error) {
	p := make([]byte, h.length)
	if _, err := io.ReadFull(r, p); err != nil {
		return nil, err
	}
	if h.masked {
		for i := range p {
			p[i] ^= h.maskKey[i%4]
		}
	}
	return p, nil
}

// appendFrame encodes one unmasked, unfragmented server frame.
func appendFrame(dst []byte, op opcode, payload []byte) []byte {
	dst = append(dst, 0x80|byte(op))
	switch n := len(payload); {
	case n <= 125:
		dst = append(dst, byte(n))
	case n <= 0xFFFF:
		dst = append(dst, 126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(n))
	default:
		dst = append(dst, 127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	}
	return append(dst, payload...)
}

// closePayload encodes a close frame body; 1005 means "no status" and is
// sent as an empty body.
func closePayload(code int, reason string) []byte {
	if code == closeNoStatus || code == 0 {
		return nil
	}
	if len(reason) > maxControlPayloadLen-2 {
		// Cut on a rune boundary: a reason cut inside a rune is not UTF-8,
		// and the client must fail the connection with 1007 over it.
		n := maxControlPayloadLen - 2
		for n > 0 && !utf8.RuneStart(reason[n]) {
			n--
		}
		reason = reason[:n]
	}
	p := binary.BigEndian.AppendUint16(nil, uint16(code))
	return append(p, reason...)
}

// closeError is a protocol violation and the close code it earns.
type closeError struct {
	code   int
	reason string
}

func (e *closeError) Error() string { return fmt.Sprintf("close %d: %s", e.code, e.reason) }

func errProtocol(reason string) error {
	return &closeError{code: closeProtocolError, reason: reason}
}

// parseClosePayload validates a client's close frame body.
func parseClosePayload(p []byte) (code int, reason string, err error) {
	switch {
	case len(p) == 0:
		return closeNoStatus, "", nil
	case len(p) == 1:
		return 0, "", errProtocol("close frame with a 1-byte body")
	}
	code = int(binary.BigEndian.Uint16(p[:2]))
	if !validCloseCode(code) {
		return 0, "", errProtocol(fmt.Sprintf("invalid close code %d", code))
	}
	if !utf8.Valid(p[2:]) {
		return 0, "", &closeError{code: closeInvalidPayload, reason: "close reason is not UTF-8"}
	}
	return code, string(p[2:]), nil
}

// validCloseCode reports whether a peer may send code (RFC 6455 7.4).
func validCloseCode(code int) bool {
	switch {
	case code >= 3000 && code <= 4999:
		return true
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	}
	return false
}

// checkHeader rejects frames a server must not accept (RFC 6455 5.2-5.5).
func checkHeader(h frameHeader, inMessage bool) error {
	switch {
	case h.rsv != 0:
		return errProtocol("reserved bits set without a negotiated extension")
	case !h.op.isKnown():
		return errProtocol(fmt.Sprintf("unknown opcode %#x", byte(h.op)))
	case !h.masked:
		return errProtocol("client frame is not masked")
	case h.op.isControl() && (!h.fin || h.length > maxControlPayloadLen):
		return errProtocol("fragmented or oversized control frame")
	case h.op == opContinuation && !inMessage:
		return errProtocol("continuation frame without a message to continue")
	case (h.op == opText || h.op == opBinary) && inMessage:
		return errProtocol("new data frame inside a fragmented message")
	}
	return nil
}

var errClosed = errors.New("localgw: connection is closed")
