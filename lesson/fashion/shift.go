package fashion

// Shift returns a copy of d with every image moved dx pixels right and dy
// pixels down (negative values move left and up), as if the item had been
// photographed off-centre. Pixels moved out of the 28×28 frame are lost and
// the uncovered ones are background (0). Labels are unchanged.
func Shift(d *Data, dx, dy int) *Data {
	out := &Data{Pixels: make([]uint8, len(d.Pixels)), Labels: append([]uint8(nil), d.Labels...)}
	for n := range d.Len() {
		src := d.Pixels[n*pixelsPerImage : (n+1)*pixelsPerImage]
		dst := out.Pixels[n*pixelsPerImage : (n+1)*pixelsPerImage]
		for y := range ImageSize {
			sy := y - dy
			if sy < 0 || sy >= ImageSize {
				continue
			}
			for x := range ImageSize {
				if sx := x - dx; sx >= 0 && sx < ImageSize {
					dst[y*ImageSize+x] = src[sy*ImageSize+sx]
				}
			}
		}
	}
	return out
}
