package localgw

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Timing of the close handshake and of writes to a slow client.
const (
	closeGrace   = 2 * time.Second  // how long to wait for the client's close reply
	writeTimeout = 10 * time.Second // a client that does not read is dropped
	queueLength  = 128              // inbound messages buffered per connection
)

// closeInfo is why a connection ended, as reported in $disconnect.
type closeInfo struct {
	code   int
	reason string
}

// inbound is one complete message received from the client.
type inbound struct {
	op   opcode
	data []byte
	id   string    // messageId
	at   time.Time // arrival: the event's requestTime
}

// errPeerClosed ends the read loop after the client's close frame.
var errPeerClosed = errors.New("localgw: client sent close")

// conn is one established WebSocket connection. Three goroutines serve it:
// the reader (frames in, owns the lifecycle), the worker (hands messages to
// handlers one at a time, then runs $disconnect exactly once) and the
// watchdog (idle and maximum-duration timeouts).
type conn struct {
	g           *Gateway
	id          string
	connectedAt time.Time
	sourceIP    string
	userAgent   string
	authorizer  map[string]any // requestContext.authorizer, nil without an authorizer
	log         *slog.Logger

	netConn net.Conn
	br      *bufio.Reader

	lastData atomic.Int64 // UnixNano of the last data frame from the client

	mu        sync.Mutex // serializes writes and guards the close state below
	closeSent bool
	closing   chan struct{} // closed once a close frame was sent or the peer vanished
	info      *closeInfo

	queue      chan inbound
	readerDone chan struct{}
}

// attach gives the connection its socket; it is not yet served.
func (c *conn) attach(nc net.Conn, br *bufio.Reader) {
	c.netConn, c.br = nc, br
	c.lastData.Store(c.connectedAt.UnixNano())
	c.closing = make(chan struct{})
	c.queue = make(chan inbound, queueLength)
	c.readerDone = make(chan struct{})
}

// start launches the goroutines of an attached connection. The caller
// holds a g.wg slot (the handshake's), so Close cannot be past its Wait.
func (c *conn) start() {
	c.g.wg.Add(3)
	go c.readLoop()
	go c.watch()
	go c.work()
}

func (c *conn) readLoop() {
	defer c.g.wg.Done()
	defer c.finishReading()
	err := c.readFrames()
	var violation *closeError
	switch {
	case errors.Is(err, errPeerClosed):
	case errors.As(err, &violation):
		c.log.Info("closing connection", "closeCode", violation.code, "reason", violation.reason)
		c.closeWith(violation.code, violation.reason)
		// The stream position is lost after a violation: discard what the
		// client still sends until it closes or the grace period ends, so
		// the close frame is not lost to a TCP reset.
		_, _ = io.Copy(io.Discard, c.br)
	}
}

// readFrames parses frames until the connection ends and returns why.
func (c *conn) readFrames() error {
	cfg := &c.g.cfg
	var msg []byte
	var msgOp opcode
	inMessage := false
	for {
		h, err := readFrameHeader(c.br)
		if err != nil {
			return err
		}
		if err := checkHeader(h, inMessage); err != nil {
			return err
		}
		if h.op.isControl() {
			p, err := readPayload(c.br, h)
			if err != nil {
				return err
			}
			switch h.op {
			case opClose:
				return c.onClientClose(p)
			case opPing:
				_ = c.writeControl(opPong, p)
			}
			continue
		}
		if h.op == opBinary {
			// API Gateway does not take binary frames: it closes the
			// connection with 1003 (AWS developer guide, "Binary media
			// types for WebSocket APIs").
			return &closeError{code: closeUnsupportedData, reason: "Binary frames are not supported"}
		}
		if h.length > uint64(cfg.MaxFrameBytes) || uint64(len(msg))+h.length > uint64(cfg.MaxMessageBytes) {
			return &closeError{code: closeMessageTooBig, reason: "Message too big"}
		}
		p, err := readPayload(c.br, h)
		if err != nil {
			return err
		}
		now := time.Now()
		c.lastData.Store(now.UnixNano())
		if h.op != opContinuation {
			msgOp, inMessage = h.op, true
		}
		msg = append(msg, p...)
		if !h.fin {
			continue
		}
		inMessage = false
		// RFC 6455 (sections 5.6, 8.1) requires failing the connection,
		// with 1007 (7.4.1), on a text message that is not UTF-8. AWS
		// documents nothing either way for API Gateway; the emulator does
		// what the RFC requires, as for binary frames it does what AWS
		// documents.
		if msgOp == opText && !utf8.Valid(msg) {
			return &closeError{code: closeInvalidPayload, reason: "Invalid UTF-8 in text message"}
		}
		c.deliver(inbound{op: msgOp, data: msg, id: newRequestID(), at: now})
		msg = nil
	}
}

// deliver queues a message for the worker; messages arriving after the
// close began are dropped, as API Gateway stops routing them.
func (c *conn) deliver(m inbound) {
	select {
	case c.queue <- m:
	case <-c.closing:
	}
}

// onClientClose answers the client's close frame (unless the server had
// already sent one) and records its code for $disconnect.
func (c *conn) onClientClose(p []byte) error {
	code, reason, err := parseClosePayload(p)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closeSent {
		c.markClosingLocked(closeInfo{code: code, reason: reason})
		_ = c.writeLocked(opClose, closePayload(code, reason))
	}
	return errPeerClosed
}

// closeWith starts a server-side close: it sends the close frame and gives
// the client closeGrace to answer before the reader gives up.
func (c *conn) closeWith(code int, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeSent {
		return
	}
	c.markClosingLocked(closeInfo{code: code, reason: reason})
	_ = c.writeLocked(opClose, closePayload(code, reason))
	_ = c.netConn.SetReadDeadline(time.Now().Add(closeGrace))
}

func (c *conn) markClosingLocked(info closeInfo) {
	c.closeSent = true
	close(c.closing)
	if c.info == nil {
		c.info = &info
	}
}

// isClosing reports whether the management API must treat the connection as gone.
func (c *conn) isClosing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeSent
}

// sendData writes one data frame unless the connection is closing.
func (c *conn) sendData(op opcode, p []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeSent {
		return errClosed
	}
	return c.writeLocked(op, p)
}

func (c *conn) writeControl(op opcode, p []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeSent {
		return errClosed
	}
	return c.writeLocked(op, p)
}

// writeLocked writes one frame; a failed write means the peer is gone, so
// the socket is closed to wake the reader.
func (c *conn) writeLocked(op opcode, p []byte) error {
	return c.writeRawLocked(appendFrame(nil, op, p))
}

func (c *conn) writeRawLocked(b []byte) error {
	_ = c.netConn.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := c.netConn.Write(b); err != nil {
		_ = c.netConn.Close()
		return errClosed
	}
	return nil
}

// finishReading runs when the reader stops for any reason: the connection
// is gone from the management API at once, and the worker is told to run
// $disconnect after the messages already queued.
func (c *conn) finishReading() {
	c.mu.Lock()
	if !c.closeSent {
		c.markClosingLocked(closeInfo{code: closeAbnormal}) // dropped without a close frame
	}
	c.mu.Unlock()
	_ = c.netConn.Close()
	c.g.unregister(c)
	close(c.readerDone)
	close(c.queue)
}

// watch closes the connection with 1001 "Going away" when the client sent
// no data for IdleTimeout or the connection reached MaxConnectionDuration.
func (c *conn) watch() {
	defer c.g.wg.Done()
	idleTimeout := c.g.cfg.IdleTimeout
	idle := time.NewTimer(idleTimeout)
	defer idle.Stop()
	maxAge := time.NewTimer(time.Until(c.connectedAt.Add(c.g.cfg.MaxConnectionDuration)))
	defer maxAge.Stop()
	for {
		select {
		case <-c.readerDone:
			return
		case <-maxAge.C:
			c.log.Info("maximum connection duration reached")
			c.closeWith(closeGoingAway, "Going away")
			return
		case <-idle.C:
			quiet := time.Since(time.Unix(0, c.lastData.Load()))
			if quiet >= idleTimeout {
				c.log.Info("idle timeout", "idleMs", quiet.Milliseconds())
				c.closeWith(closeGoingAway, "Going away")
				return
			}
			idle.Reset(idleTimeout - quiet)
		}
	}
}

// work hands messages to handlers in arrival order, then runs $disconnect.
func (c *conn) work() {
	defer c.g.wg.Done()
	for m := range c.queue {
		c.dispatch(m)
	}
	c.disconnect()
}

// closeReason returns why the connection ended; valid once the reader stopped.
func (c *conn) closeReason() closeInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return *c.info
}
