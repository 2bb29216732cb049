package scenarios

import (
	"slices"
	"time"
)

// Spread summarises repeated measurements in seconds.
type Spread struct {
	N      int     `json:"n"`
	Min    float64 `json:"min_s"`
	Median float64 `json:"median_s"`
	Max    float64 `json:"max_s"`
}

// SpreadOf summarises durations; an empty input gives a zero Spread.
func SpreadOf(ds []time.Duration) Spread {
	if len(ds) == 0 {
		return Spread{}
	}
	xs := make([]float64, len(ds))
	for i, d := range ds {
		xs[i] = d.Seconds()
	}
	slices.Sort(xs)
	s := Spread{N: len(xs), Min: xs[0], Max: xs[len(xs)-1]}
	mid := len(xs) / 2
	if len(xs)%2 == 1 {
		s.Median = xs[mid]
	} else {
		s.Median = (xs[mid-1] + xs[mid]) / 2
	}
	return s
}
