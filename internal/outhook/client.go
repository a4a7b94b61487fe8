package outhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Default timeouts: a command's caller waits for its reply; an outgoing
// webhook's delivery is retried, so each try may be short as well.
const (
	CommandTimeout  = 3 * time.Second
	DeliveryTimeout = 5 * time.Second
	// MaxResponse bounds what is read of a receiver's answer.
	MaxResponse = 64 << 10
)

// Client posts signed JSON to registered URLs.
type Client struct {
	// HTTP is the client (nil: one with a dialer that refuses private
	// addresses unless AllowPrivate, and no redirects).
	HTTP *http.Client
	// AllowPrivate lets URLs reach loopback and private addresses and use
	// plain http: make dev and the tests, never a deployment (the Lambda
	// runtime API listens on 127.0.0.1).
	AllowPrivate bool
	Now          func() time.Time

	once sync.Once
	hc   *http.Client
}

// CheckURL validates a URL to register: https (http too with
// AllowPrivate), a host, no credentials, at most 2048 bytes.
func (c *Client) CheckURL(raw string) error {
	if len(raw) > 2048 {
		return errors.New("the URL is longer than 2048 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return errors.New("the URL is not an absolute http(s) URL")
	}
	if u.User != nil {
		return errors.New("the URL must not carry a user or password")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && c.AllowPrivate:
	default:
		return errors.New("the URL must use https")
	}
	if !c.AllowPrivate {
		host := u.Hostname()
		if ip := net.ParseIP(host); (ip != nil && !publicIP(ip)) || host == "localhost" || strings.HasSuffix(host, ".localhost") {
			return errors.New("the URL must be a public address")
		}
	}
	return nil
}

func publicIP(ip net.IP) bool {
	return !(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast())
}

func (c *Client) http() *http.Client {
	c.once.Do(func() { c.hc = c.newHTTP() })
	return c.hc
}

func (c *Client) newHTTP() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	if !c.AllowPrivate {
		// Checked on the address actually dialled, after DNS: a public
		// name that resolves to a private address is refused too.
		d.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !publicIP(ip) {
				return fmt.Errorf("outhook: refusing to connect to %s", host)
			}
			return nil
		}
	}
	return &http.Client{
		Transport: &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: 5 * time.Second,
			MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Response is a receiver's answer.
type Response struct {
	Status int
	Body   []byte
}

// StatusError is a receiver's answer outside 2xx.
type StatusError struct{ Status int }

func (e *StatusError) Error() string { return fmt.Sprintf("the receiver answered HTTP %d", e.Status) }

// Post sends body to rawURL signed with secret, within timeout: an error
// for a transport failure, a timeout, or a status outside 2xx
// (*StatusError).
func (c *Client) Post(ctx context.Context, rawURL, secret, delivery string, body []byte, timeout time.Duration) (Response, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return Response{}, err
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Backchannel-Hooks/1")
	if delivery != "" {
		req.Header.Set(HeaderDelivery, delivery)
	}
	Sign(req.Header, secret, now(), body)
	res, err := c.http().Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return Response{}, fmt.Errorf("the receiver did not answer within %s", timeout)
		}
		return Response{}, fmt.Errorf("the receiver could not be reached: %w", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, MaxResponse))
	if err != nil {
		return Response{Status: res.StatusCode}, fmt.Errorf("reading the receiver's answer: %w", err)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return Response{Status: res.StatusCode, Body: b}, &StatusError{Status: res.StatusCode}
	}
	return Response{Status: res.StatusCode, Body: b}, nil
}
