package lesson

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// progress draws Keras's per-epoch progress line:
//
//	Epoch 1/5
//	1875/1875 [==============================] - 95s 51ms/step - loss: 0.4412 - accuracy: 0.8397 - test_loss: 0.3281 - test_accuracy: 0.8805
//
// While the epoch runs, the line is redrawn in place (carriage return) with
// an ETA, at most once per interval.
type progress struct {
	w        io.Writer
	every    time.Duration
	steps    int
	start    time.Time
	lastDraw time.Time
	width    int // length of the last line drawn, to blank it out
}

func newProgress(w io.Writer, every time.Duration, steps, epoch, epochs int) *progress {
	p := &progress{w: w, every: every, steps: steps, start: time.Now()}
	if w != nil {
		fmt.Fprintf(w, "Epoch %d/%d\n", epoch, epochs)
	}
	return p
}

// update redraws the line after step (1-based) if the interval has passed.
func (p *progress) update(step int, s EpochStats) {
	if p.w == nil || step == p.steps || time.Since(p.lastDraw) < p.every {
		return
	}
	p.lastDraw = time.Now()
	elapsed := time.Since(p.start)
	eta := time.Duration(float64(elapsed) / float64(step) * float64(p.steps-step))
	p.draw(fmt.Sprintf("%s - ETA: %s - loss: %.4f - accuracy: %.4f", p.bar(step), clock(eta), s.Loss, s.Accuracy), "\r")
}

// done draws the epoch's final line.
func (p *progress) done(s EpochStats) {
	if p.w == nil {
		return
	}
	perStep := s.Duration / time.Duration(max(p.steps, 1))
	line := fmt.Sprintf("%s - %ds %s/step - loss: %.4f - accuracy: %.4f", p.bar(p.steps), int(math.Round(s.Duration.Seconds())), stepTime(perStep), s.Loss, s.Accuracy)
	if !math.IsNaN(s.TestAccuracy) {
		line += fmt.Sprintf(" - test_loss: %.4f - test_accuracy: %.4f", s.TestLoss, s.TestAccuracy)
	}
	p.draw(line, "\r")
	fmt.Fprintln(p.w)
}

func (p *progress) draw(line, prefix string) {
	pad := ""
	if n := p.width - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	p.width = len(line)
	fmt.Fprint(p.w, prefix+line+pad)
}

// bar renders "  320/1875 [=====>........................]".
func (p *progress) bar(step int) string {
	const width = 30
	filled := width * step / max(p.steps, 1)
	var b strings.Builder
	b.WriteString(strings.Repeat("=", filled))
	if filled < width {
		b.WriteString(">")
		b.WriteString(strings.Repeat(".", width-filled-1))
	}
	digits := len(fmt.Sprint(p.steps))
	return fmt.Sprintf("%*d/%d [%s]", digits, step, p.steps, b.String())
}

// clock formats d as Keras does for ETAs: "1:05" or "42s".
func clock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s < 60 {
		return fmt.Sprintf("%ds", s)
	}
	if s < 3600 {
		return fmt.Sprintf("%d:%02d", s/60, s%60)
	}
	return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
}

// stepTime formats the time per step: "51ms" or "2s".
func stepTime(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return fmt.Sprintf("%ds", int(d.Round(time.Second).Seconds()))
}

// interrupted ends a line drawn in place, so that what is printed next (the
// reason training stopped) starts on a line of its own.
func (p *progress) interrupted() {
	if p.w != nil && p.width > 0 {
		fmt.Fprintln(p.w)
		p.width = 0
	}
}
