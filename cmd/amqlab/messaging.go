package main

import (
	"errors"
	"fmt"
	neturl "net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/amqlab/amqlab/client"
)

// connFlags are the flags send, browse and consume share: where to connect
// and which destination to use.
type connFlags struct {
	url     string
	driver  string
	timeout time.Duration
	dest    string
	json    bool
	window  int // send only
}

func (f *connFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.dest, "destination", "d", "test", "queue or topic: NAME or queue://NAME (a queue), topic://NAME")
	fl.StringVar(&f.url, "url", "", "broker URL, e.g. failover:(stomp://127.0.0.1:61613,stomp://127.0.0.1:62613)?randomize=false (default: the lab's failover URL)")
	fl.StringVar(&f.driver, "driver", "", "stomp (native client) or openwire (the install's Java tools); default: by the URL's scheme, else stomp")
	fl.DurationVar(&f.timeout, "timeout", 30*time.Second, "how long to wait for a reachable broker before giving up; without this flag a URL's own timeout option applies")
	fl.BoolVar(&f.json, "json", false, "print results as JSON for scripts")
}

// dial checks the flags and connects. Without --url it uses the lab's
// failover URL over all brokers; the openwire driver always needs the lab,
// whose install provides the Java tools.
func (a *app) dial(cmd *cobra.Command, f *connFlags) (client.Client, client.Destination, error) {
	dest, err := client.ParseDestination(f.dest)
	if err != nil {
		return nil, dest, usageError{err}
	}
	driver := f.driver
	if driver != "" && driver != client.DriverStomp && driver != client.DriverOpenWire {
		return nil, dest, usageError{fmt.Errorf("--driver %q: use %s or %s", driver, client.DriverStomp, client.DriverOpenWire)}
	}
	if driver == "" && strings.Contains(f.url, "tcp://") {
		driver = client.DriverOpenWire
	}
	if driver == "" {
		driver = client.DriverStomp
	}
	url, home := f.url, ""
	if url == "" || driver == client.DriverOpenWire {
		lab, err := a.openLab()
		switch {
		case err != nil && url == "":
			return nil, dest, fmt.Errorf("no --url given and no lab to take it from: %w", err)
		case err != nil:
			return nil, dest, fmt.Errorf("the openwire driver runs the Java client tools of the lab's install: %w", err)
		}
		plan := lab.Plan()
		home = plan.Brokers[0].Home
		if url == "" && driver == client.DriverStomp && !plan.Stomp {
			return nil, dest, usageError{errors.New("the lab's brokers have no STOMP connector; use --driver openwire, or re-create the lab with STOMP")}
		}
		if url == "" {
			scheme := "stomp"
			if driver == client.DriverOpenWire {
				scheme = "tcp"
			}
			url = lab.FailoverURL(scheme)
		}
	}
	timeout := f.timeout
	if !cmd.Flags().Changed("timeout") && urlSetsTimeout(url) {
		timeout = 0 // the URL's own timeout option wins over the flag's default
	}
	opts := client.Options{
		Driver:  driver,
		Timeout: timeout,
		Home:    home,
		OnEvent: a.showEvent,
		Window:  f.window,
	}
	if a.verbose {
		opts.Verbose = a.errOut
	}
	c, err := client.Dial(cmd.Context(), url, opts)
	if err != nil {
		return nil, dest, a.failed(err)
	}
	return c, dest, nil
}

// urlSetsTimeout reports whether a URL carries the failover transport's
// timeout option (after the closing parenthesis of a failover list, or in
// a single broker's query).
func urlSetsTimeout(raw string) bool {
	query := raw
	if i := strings.LastIndexByte(query, ')'); i >= 0 {
		query = query[i+1:]
	}
	_, query, ok := strings.Cut(query, "?")
	if !ok {
		return false
	}
	values, err := neturl.ParseQuery(query)
	return err == nil && values.Has("timeout")
}

// showEvent tells the user on stderr where the client is connected, like
// the failover transport's log line; failed attempts only with -v.
func (a *app) showEvent(e client.Event) {
	switch e.Kind {
	case client.Connected:
		fmt.Fprintf(a.errOut, "%s\n", a.dim(e.String()))
	case client.AttemptFailed:
		if a.verbose {
			fmt.Fprintf(a.errOut, "%s\n", a.dim(e.String()))
		}
	default:
		fmt.Fprintf(a.errOut, "%s %s\n", a.ansi("33", "!"), e)
	}
}

// failed shows, with -v, the body of a broker's ERROR frame (often a Java
// stack trace) as the broker sent it, and gives err its exit code.
func (a *app) failed(err error) error {
	var be *client.BrokerError
	if errors.As(err, &be) && a.verbose && be.Body != "" {
		fmt.Fprintf(a.errOut, "ERROR frame body from %s:\n%s\n", be.Broker, strings.TrimRight(be.Body, "\n"))
	}
	return messagingError(err)
}

// messagingError gives client errors their exit code: 2 for a bad URL, 3
// when no broker could be reached.
func messagingError(err error) error {
	var ue *client.URLError
	var ce *client.ConnectError
	switch {
	case errors.As(err, &ue), errors.Is(err, client.ErrNotSupported):
		return usageError{err}
	case errors.As(err, &ce):
		return exitCode{code: exitUnreachable, err: err}
	}
	return err
}

// messageLine is browse's and consume's line per message, like the article's
// client: index, message id, type, timestamp, size.
func messageLine(m client.Received) string {
	ts := "-"
	if !m.Timestamp.IsZero() {
		ts = m.Timestamp.Local().Format("2006-01-02 15:04:05.000")
	}
	id := m.ID
	if id == "" {
		id = "-"
	}
	typ := m.Type
	if typ == "" {
		typ = "-"
	}
	line := fmt.Sprintf("%6d %s %s %s %d B", m.Index, id, typ, ts, m.Size)
	if m.Duplicate {
		line += " duplicate"
	}
	return line
}

// bodyBlock indents a body under its message line.
func bodyBlock(body []byte) string {
	return "       " + strings.ReplaceAll(string(body), "\n", "\n       ")
}

// jsonMessage is a message for --json; the body is included on request.
type jsonMessage struct {
	client.Received
	Body *string `json:"body,omitempty"`
}

func toJSON(m client.Received, withBody bool) jsonMessage {
	j := jsonMessage{Received: m}
	if withBody {
		s := string(m.Body)
		j.Body = &s
	}
	return j
}
