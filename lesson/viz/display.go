package viz

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"image"
	"image/png"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
)

// inNotebook reports whether the program runs as a cell of a GoNB notebook,
// where the Show… functions display their values. Outside a notebook they do
// nothing.
func inNotebook() bool { return gonbui.IsNotebook }

// ShowHTML displays html (a fragment, such as [Gallery]'s or
// [Confusion.HTML]'s) as the output of the running notebook cell and waits
// until GoNB has it, so outputs keep their order. It does nothing outside a
// notebook.
func ShowHTML(html string) {
	if inNotebook() {
		gonbui.DisplayHTML(html)
		gonbui.Sync() // wait until GoNB has it: outputs stay in order, none is lost when the cell ends
	}
}

// ShowImage displays img as a PNG (an image/png output, kept in the saved
// notebook). It does nothing outside a notebook.
func ShowImage(img image.Image) {
	if !inNotebook() {
		return
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		fmt.Println("viz: ShowImage:", err)
		return
	}
	gonbui.DisplayPng(b.Bytes())
	gonbui.Sync()
}

// ShowImages displays images side by side in a wrapping row, each with the
// caption of the same index (captions may be nil or shorter). Images under
// 84 pixels wide are zoomed by a whole factor without smoothing, to about
// 200 pixels wide (84 when there are more than 8 images); wider ones are
// shown as they are. It does nothing outside a notebook.
func ShowImages(captions []string, images ...image.Image) {
	if !inNotebook() {
		return
	}
	html, err := imagesHTML(captions, images)
	if err != nil {
		fmt.Println(err)
		return
	}
	ShowHTML(html)
}

// pngDataURI encodes img as a PNG data URI for an <img src>.
func pngDataURI(img image.Image) (string, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return "", fmt.Errorf("viz: encoding PNG: %w", err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b.Bytes()), nil
}

// imagesHTML lays images out in a wrapping row of captioned figures. Images
// narrower than 200 pixels are drawn at an integer zoom, without smoothing.
func imagesHTML(captions []string, images []image.Image) (string, error) {
	var b strings.Builder
	b.WriteString(`<div style="display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end">`)
	for i, img := range images {
		uri, err := pngDataURI(img)
		if err != nil {
			return "", err
		}
		w := img.Bounds().Dx()
		zoom := max(1, 200/max(w, 1))
		if w >= 84 || len(images) > 8 {
			zoom = max(1, 84/max(w, 1))
		}
		fmt.Fprintf(&b, `<figure style="margin:0;text-align:center"><img src="%s" width="%d" style="image-rendering:pixelated">`, uri, w*zoom)
		if i < len(captions) {
			fmt.Fprintf(&b, `<figcaption style="font-size:small">%s</figcaption>`, html.EscapeString(captions[i]))
		}
		b.WriteString("</figure>")
	}
	b.WriteString("</div>")
	return b.String(), nil
}
