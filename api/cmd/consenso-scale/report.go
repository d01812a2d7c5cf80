package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// report prints the build notes and, with a small and a large archive, the
// table of issue 13: p50 and p99 per endpoint and the large/small ratio.
func report(w io.Writer, runs []archiveRun, l load) {
	fmt.Fprintf(w, "\nMachine: %s. Load per endpoint: %d requests, %d workers, %s timeout, %s budget.\n",
		machine(), l.Requests, l.Workers, l.Timeout, l.Budget)
	for _, r := range runs {
		s := r.Shape
		fmt.Fprintf(w, "%s: %d countries, %d clauses in %d sections, %d comments (hot clauses %d); %s; built in: %s.\n",
			s.Name, len(countries), s.clauses(), s.Sections, s.Comments, s.Hot, strings.Join(r.Notes, "; "), strings.Join(r.Timings, ", "))
	}
	fmt.Fprintln(w)
	if len(runs) == 2 {
		a, b := runs[0], runs[1]
		fmt.Fprintf(w, "| endpoint | %[1]s p50 | %[1]s p99 | %[2]s p50 | %[2]s p99 | p50 %[2]s/%[1]s | body %[1]s → %[2]s |\n", a.Shape.Name, b.Shape.Name)
		fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
		for i, t := range a.Targets {
			x, y := a.Results[i], b.Results[i]
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s → %s |\n", t.Name, cell(x, x.P50, l), cell(x, x.P99, l),
				cell(y, y.P50, l), cell(y, y.P99, l), ratio(x, y, l), size(x.Bytes), size(y.Bytes))
		}
		return
	}
	for _, r := range runs {
		fmt.Fprintf(w, "| endpoint | %[1]s p50 | %[1]s p99 | body |\n| --- | ---: | ---: | ---: |\n", r.Shape.Name)
		for i, t := range r.Targets {
			x := r.Results[i]
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", t.Name, cell(x, x.P50, l), cell(x, x.P99, l), size(x.Bytes))
		}
	}
}

func cell(r result, d time.Duration, l load) string {
	if r.Err != "" {
		return "error: " + r.Err
	}
	return latency(d, l.Timeout)
}

// latency writes a duration to three significant figures, or "> timeout".
func latency(d, timeout time.Duration) string {
	if d == timedOut {
		return "> " + timeout.String()
	}
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
}

// ratio is large p50 over small p50; a large p50 beyond the timeout gives a
// lower bound.
func ratio(small, large result, l load) string {
	if small.Err != "" || large.Err != "" || small.P50 == timedOut || small.P50 <= 0 {
		return "—"
	}
	if large.P50 == timedOut {
		return fmt.Sprintf("≥ %.0f×", float64(l.Timeout)/float64(small.P50))
	}
	x := float64(large.P50) / float64(small.P50)
	if x >= 10 {
		return fmt.Sprintf("%.0f×", x)
	}
	return fmt.Sprintf("%.2f×", x)
}

func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
