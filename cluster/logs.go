package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Each broker's JVM writes stdout and stderr straight into its console log,
// opened for appending by amqlab. A JVM's output then never blocks on a
// reader, the log survives the amqlab that started the broker, and any
// number of readers (a foreground up, 'amqlab logs -f' in another terminal)
// follow the same file.

// LogPath is the console log of a broker.
func (l *Lab) LogPath(name string) string {
	return filepath.Join(l.logDir(), name+".log")
}

func (l *Lab) logDir() string { return filepath.Join(l.Dir(), "logs") }

// LogLine is one line of a broker's console.
type LogLine struct {
	Broker string
	Text   string
}

// followPoll is how often a follower looks for new output.
const followPoll = 100 * time.Millisecond

// Follower streams new lines of several broker logs. Create it before
// starting brokers so that nothing they print is missed.
type Follower struct {
	files []*followedFile
}

type followedFile struct {
	broker  string
	path    string
	f       *os.File
	pos     int64
	partial []byte
}

// NewFollower positions a follower on the logs of the named brokers (all
// when names is empty), backlog lines before their current ends.
func (l *Lab) NewFollower(names []string, backlog int) (*Follower, error) {
	brokers, err := l.brokersNamed(names)
	if err != nil {
		return nil, err
	}
	fw := &Follower{}
	for _, b := range brokers {
		ff := &followedFile{broker: b.Name, path: l.LogPath(b.Name)}
		if err := ff.open(backlog); err != nil {
			fw.close()
			return nil, err
		}
		fw.files = append(fw.files, ff)
	}
	return fw, nil
}

// Run sends every complete new line to sink until ctx ends, then reads once
// more so that the last words of a stopping broker are not lost.
func (fw *Follower) Run(ctx context.Context, sink func(LogLine)) error {
	defer fw.close()
	t := time.NewTicker(followPoll)
	defer t.Stop()
	for {
		for _, ff := range fw.files {
			if err := ff.poll(sink); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			for _, ff := range fw.files {
				_ = ff.poll(sink)
				ff.flush(sink)
			}
			return nil
		case <-t.C:
		}
	}
}

// Follow streams the named brokers' logs, starting backlog lines back, until
// ctx ends.
func (l *Lab) Follow(ctx context.Context, names []string, backlog int, sink func(LogLine)) error {
	fw, err := l.NewFollower(names, backlog)
	if err != nil {
		return err
	}
	return fw.Run(ctx, sink)
}

// Tail returns the last n lines of each named broker's log, broker after
// broker.
func (l *Lab) Tail(names []string, n int) ([]LogLine, error) {
	brokers, err := l.brokersNamed(names)
	if err != nil {
		return nil, err
	}
	var out []LogLine
	for _, b := range brokers {
		lines, err := tailFile(l.LogPath(b.Name), n)
		if err != nil {
			return nil, err
		}
		for _, s := range lines {
			out = append(out, LogLine{Broker: b.Name, Text: s})
		}
	}
	return out, nil
}

func (fw *Follower) close() {
	for _, ff := range fw.files {
		if ff.f != nil {
			ff.f.Close()
		}
	}
}

// open positions on the last backlog lines of the log if it exists yet; a
// log that appears later is read from its start.
func (ff *followedFile) open(backlog int) error {
	if err := ff.openIfExists(); err != nil || ff.f == nil {
		return err
	}
	var err error
	if ff.pos, err = startOfLastLines(ff.f, backlog); err != nil {
		return fmt.Errorf("read log of %s: %w", ff.broker, err)
	}
	return nil
}

func (ff *followedFile) openIfExists() error {
	f, err := os.Open(ff.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open log of %s: %w", ff.broker, err)
	}
	ff.f = f
	return nil
}

func (ff *followedFile) poll(sink func(LogLine)) error {
	if ff.f == nil {
		if err := ff.openIfExists(); err != nil || ff.f == nil {
			return err
		}
	}
	info, err := ff.f.Stat()
	if err != nil {
		return fmt.Errorf("read log of %s: %w", ff.broker, err)
	}
	if info.Size() < ff.pos { // truncated by hand: start over
		ff.pos, ff.partial = 0, nil
	}
	if info.Size() == ff.pos {
		return nil
	}
	buf := make([]byte, info.Size()-ff.pos)
	n, err := ff.f.ReadAt(buf, ff.pos)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read log of %s: %w", ff.broker, err)
	}
	ff.pos += int64(n)
	data := append(ff.partial, buf[:n]...)
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		sink(LogLine{Broker: ff.broker, Text: string(bytes.TrimRight(data[:i], "\r"))})
		data = data[i+1:]
	}
	ff.partial = append([]byte(nil), data...)
	return nil
}

func (ff *followedFile) flush(sink func(LogLine)) {
	if len(ff.partial) > 0 {
		sink(LogLine{Broker: ff.broker, Text: string(ff.partial)})
		ff.partial = nil
	}
}

// tailFile returns the last n lines of a file; a missing file has none.
func tailFile(path string, n int) ([]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	start, err := startOfLastLines(f, n)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.NewSectionReader(f, start, 1<<62))
	if err != nil {
		return nil, err
	}
	return splitLines(data), nil
}

func splitLines(data []byte) []string {
	data = bytes.TrimSuffix(data, []byte("\n"))
	if len(data) == 0 {
		return nil
	}
	lines := bytes.Split(data, []byte("\n"))
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = string(bytes.TrimRight(l, "\r"))
	}
	return out
}

// startOfLastLines finds the offset where the last n lines of f begin,
// reading backwards in blocks; n <= 0 means the end of the file.
func startOfLastLines(f *os.File, n int) (int64, error) {
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := info.Size()
	if n <= 0 || size == 0 {
		return size, nil
	}
	const block = 8192
	end := size
	// A final newline ends the last line; it does not start another one.
	newlines := 0
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, size-1); err != nil {
		return 0, err
	}
	if last[0] == '\n' {
		newlines = -1
	}
	buf := make([]byte, block)
	for end > 0 {
		start := max(end-block, 0)
		chunk := buf[:end-start]
		if _, err := f.ReadAt(chunk, start); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		for i := len(chunk) - 1; i >= 0; i-- {
			if chunk[i] != '\n' {
				continue
			}
			newlines++
			if newlines == n {
				return start + int64(i) + 1, nil
			}
		}
		end = start
	}
	return 0, nil
}
