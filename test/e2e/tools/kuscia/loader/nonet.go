package main

// Dialing without a network. Kuscia's start-up checks end in network calls (the
// datastore ping, the probe of a lite node's master). The loader runs the same client
// code up to the moment the first packet would leave, so every error that comes from the
// configuration itself (a DSN the driver refuses, an unknown network, a port that is not a
// number, a URL without a host) is still Kuscia's own, and stops there: the dialer below
// parses the address with Go's own net.Dialer, then aborts before connect(2) (its Control
// hook) or before a DNS query (a resolver whose Dial aborts), and hands the client a
// connection whose first read or write reports that the network was reached. The caller
// reads "reached the network" as success: what happens next depends on a server, not on
// the configuration.

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"syscall"
	"time"
)

// errOffline marks the point where a real dial would have sent a packet.
var errOffline = errors.New("kuscia-loader: the network would be used here")

// reached is set when a client sends or reads its first byte on a connection during one
// check: what it does before that (parsing its settings, its TLS configuration, ...)
// depends on the configuration alone.
var reached atomic.Bool

// dialed is set by one dial that got as far as a socket or a DNS query.
type dialed struct{ atomic.Bool }

func (d *dialed) dialer() *net.Dialer {
	return &net.Dialer{
		Control: func(string, string, syscall.RawConn) error {
			d.Store(true)
			return errOffline
		},
		Resolver: &net.Resolver{
			PreferGo: true,
			Dial: func(context.Context, string, string) (net.Conn, error) {
				d.Store(true)
				return nil, errOffline
			},
		},
	}
}

// dialOffline parses network and address as net.Dialer.DialContext does; when the dial
// gets as far as a socket or a DNS query it returns a connection that fails on first use.
func dialOffline(ctx context.Context, network, address string) (net.Conn, error) {
	var d dialed
	c, err := d.dialer().DialContext(ctx, network, address)
	if c != nil {
		c.Close()
	}
	if d.Load() || resolvedByMachine(address, err) {
		return offlineConn{}, nil
	}
	return nil, err
}

// resolvedByMachine: a host name that resolved, from this machine's hosts file or Go's
// built-in answer for "localhost", to no address of the dial's family ("tcp6" to a name
// with only IPv4 addresses here). What such a name resolves to is the machine's, not the
// configuration's (a container whose /etc/hosts lists "::1 localhost" dials it), so the
// dial counts as reaching the network. An IP literal of the wrong family is the
// configuration's own error and stays one.
func resolvedByMachine(address string, err error) bool {
	var ae *net.AddrError
	if !errors.As(err, &ae) || ae.Err != "no suitable address found" {
		return false
	}
	host, _, splitErr := net.SplitHostPort(address)
	return splitErr == nil && net.ParseIP(host) == nil
}

// offlineConn is the connection of a dial that would have reached the network.
type offlineConn struct{}

func (offlineConn) Read([]byte) (int, error)         { reached.Store(true); return 0, errOffline }
func (offlineConn) Write([]byte) (int, error)        { reached.Store(true); return 0, errOffline }
func (offlineConn) Close() error                     { return nil }
func (offlineConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (offlineConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (offlineConn) SetDeadline(time.Time) error      { return nil }
func (offlineConn) SetReadDeadline(time.Time) error  { return nil }
func (offlineConn) SetWriteDeadline(time.Time) error { return nil }

// pqDialer is a lib/pq Dialer and DialerContext over dialOffline.
type pqDialer struct{}

func (pqDialer) Dial(network, address string) (net.Conn, error) {
	return dialOffline(context.Background(), network, address)
}

func (pqDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return dialOffline(ctx, network, address)
}

func (pqDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return dialOffline(ctx, network, address)
}
