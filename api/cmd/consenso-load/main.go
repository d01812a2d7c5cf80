// Command consenso-load measures the live stream's fan-out against a running
// Consenso server on this machine: it opens N event streams on a guideline,
// records one event (a new draft) and reports how long each stream took to
// receive it. Loopback only; bounded in count and time. Start the server
// with CONSENSO_STREAMS_PER_USER above -streams: every stream is one account's.
//
//	consenso-load -api http://127.0.0.1:8080 -token $FACILITATOR -guideline $GID -streams 1000
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "consenso-load:", err)
		os.Exit(1)
	}
}

func run() error {
	api := flag.String("api", "http://127.0.0.1:8080", "server base URL (loopback only)")
	token := flag.String("token", "", "facilitator access token (streams and the triggering draft)")
	gid := flag.String("guideline", "", "guideline id")
	n := flag.Int("streams", 1000, "concurrent streams (at most 5000)")
	timeout := flag.Duration("timeout", 30*time.Second, "overall time limit")
	bare := flag.String("serve-bare", "", "instead: serve a bare Gin handler returning {\"status\":\"ok\"} on this loopback address (the baseline)")
	bareBody := flag.String("bare-body", "", "with -serve-bare: return the bytes of this file (as JSON) instead")
	flag.Parse()
	if *bare != "" {
		return serveBare(*bare, *bareBody)
	}
	u, err := url.Parse(*api)
	if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1") {
		return errors.New("-api must be a loopback URL")
	}
	if *token == "" || *gid == "" || *n < 1 || *n > 5000 {
		return errors.New("-token and -guideline are required; 1 <= -streams <= 5000")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *n, MaxConnsPerHost: 0}}

	var ready, done sync.WaitGroup
	received := make([]time.Time, *n)
	errs := make(chan error, *n)
	ready.Add(*n)
	done.Add(*n)
	for i := 0; i < *n; i++ {
		go func(i int) {
			defer done.Done()
			signalled := false
			signal := func() {
				if !signalled {
					signalled = true
					ready.Done()
				}
			}
			defer signal()
			req, _ := http.NewRequestWithContext(ctx, "GET", *api+"/api/v1/guidelines/"+*gid+"/events/stream", nil)
			req.Header.Set("Authorization", "Bearer "+*token)
			res, err := client.Do(req)
			if err != nil {
				errs <- err
				return
			}
			defer res.Body.Close()
			if res.StatusCode != 200 {
				errs <- fmt.Errorf("stream: %s", res.Status)
				return
			}
			r := bufio.NewReader(res.Body)
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if strings.HasPrefix(line, "event: connected") {
					signal()
				}
				if strings.HasPrefix(line, "event: draft.created") {
					received[i] = time.Now()
					return
				}
			}
		}(i)
	}
	ready.Wait()
	select {
	case err := <-errs:
		return fmt.Errorf("opening streams: %w", err)
	default:
	}
	start := time.Now()
	body := bytes.NewBufferString(`{"label":"load test"}`)
	req, _ := http.NewRequestWithContext(ctx, "POST", *api+"/api/v1/guidelines/"+*gid+"/drafts", body)
	req.Header.Set("Authorization", "Bearer "+*token)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		return fmt.Errorf("trigger draft: %s", res.Status)
	}
	done.Wait()
	var lat []time.Duration
	for _, t := range received {
		if !t.IsZero() {
			lat = append(lat, t.Sub(start))
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) == 0 {
		return errors.New("no stream received the event")
	}
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("streams %d, received %d; latency p50 %v, p99 %v, max %v\n", *n, len(lat), pct(0.5), pct(0.99), lat[len(lat)-1])
	return nil
}

// serveBare is the baseline the approved-text path is compared with: Gin
// with no middleware and one handler, returning {"status":"ok"} or, with
// a body file, those bytes (the cost of moving the same answer alone).
func serveBare(addr, bodyFile string) error {
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		return errors.New("-serve-bare must be a 127.0.0.1 address")
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	if bodyFile == "" {
		e.GET("/", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	} else {
		body, err := os.ReadFile(bodyFile)
		if err != nil {
			return err
		}
		e.GET("/", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", body) })
	}
	return http.ListenAndServe(addr, e)
}
