package lesson

import (
	"fmt"

	"github.com/gonb-lessons/convolutions/lesson/fashion"
)

// Config describes the network. Its zero value is the lesson's model:
// two Conv2D(64, 3×3, relu) + MaxPool 2×2 blocks, Dense(128, relu) and
// Dense(10, softmax). The exercises change one field at a time.
type Config struct {
	// Filters is the number of filters of each Conv2D layer; 0 means 64.
	Filters int
	// ConvLayers is the number of Conv2D + MaxPool blocks, 1 or 2; 0 means 2.
	ConvLayers int
	// Hidden is the width of the hidden Dense layer; 0 means 128.
	Hidden int
	// DenseOnly builds the previous lesson's network instead:
	// Flatten → Dense(Hidden, relu) → Dense(10, softmax), with no convolutions.
	DenseOnly bool
	// Seed seeds the initial weights; 0 means 1, so runs are repeatable.
	Seed int64
}

// withDefaults returns c with every zero field replaced by its default.
func (c Config) withDefaults() Config {
	if c.Filters == 0 {
		c.Filters = 64
	}
	if c.ConvLayers == 0 {
		c.ConvLayers = 2
	}
	if c.DenseOnly {
		c.ConvLayers = 0
		c.Filters = 0
	}
	if c.Hidden == 0 {
		c.Hidden = 128
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return c
}

// validate reports a Config that cannot be built.
func (c Config) validate() error {
	switch {
	case c.Filters < 0 || c.Filters > 1024:
		return fmt.Errorf("lesson: Config.Filters = %d: want 1 to 1024 (0 means 64)", c.Filters)
	case !c.DenseOnly && (c.ConvLayers < 0 || c.ConvLayers > 2):
		return fmt.Errorf("lesson: Config.ConvLayers = %d: want 1 or 2 (0 means 2); a third 3×3 conv would not fit the 5×5 map", c.ConvLayers)
	case c.Hidden < 0 || c.Hidden > 1<<16:
		return fmt.Errorf("lesson: Config.Hidden = %d: want 1 to 65536 (0 means 128)", c.Hidden)
	}
	return nil
}

// String describes the network in one line, e.g.
// "cnn filters=64 conv=2 hidden=128 seed=1".
func (c Config) String() string {
	c = c.withDefaults()
	if c.DenseOnly {
		return fmt.Sprintf("dense hidden=%d seed=%d", c.Hidden, c.Seed)
	}
	return fmt.Sprintf("cnn filters=%d conv=%d hidden=%d seed=%d", c.Filters, c.ConvLayers, c.Hidden, c.Seed)
}

// Layer describes one layer of the network as Keras's model.summary() does.
type Layer struct {
	Name   string // Keras's name: "conv2d", "max_pooling2d", "conv2d_1", …
	Type   string // "Conv2D", "MaxPooling2D", "Flatten" or "Dense"
	Output []int  // output shape without the batch axis, e.g. [26 26 64]
	Params int    // trainable parameters
	// Arithmetic explains Output and Params, e.g. "(3·3·1+1)·64 = 640; 28−3+1 = 26".
	Arithmetic string
}

// Layers lists the network's layers with their output shapes and parameter
// counts, computed from the configuration alone (no backend is needed).
func (c Config) Layers() []Layer {
	c = c.withDefaults()
	var layers []Layer
	side, channels := fashion.ImageSize, 1
	for i := range c.ConvLayers {
		suffix := ""
		if i > 0 {
			suffix = fmt.Sprintf("_%d", i)
		}
		out := side - 3 + 1
		params := (3*3*channels + 1) * c.Filters
		layers = append(layers, Layer{
			Name: "conv2d" + suffix, Type: "Conv2D", Output: []int{out, out, c.Filters}, Params: params,
			Arithmetic: fmt.Sprintf("(3·3·%d+1)·%d = %s; %d−3+1 = %d", channels, c.Filters, commas(params), side, out),
		})
		pooled := out / 2
		layers = append(layers, Layer{
			Name: "max_pooling2d" + suffix, Type: "MaxPooling2D", Output: []int{pooled, pooled, c.Filters},
			Arithmetic: fmt.Sprintf("no weights; ⌊%d/2⌋ = %d", out, pooled),
		})
		side, channels = pooled, c.Filters
	}
	flat := side * side * channels
	layers = append(layers, Layer{
		Name: "flatten", Type: "Flatten", Output: []int{flat},
		Arithmetic: fmt.Sprintf("no weights; %d·%d·%d = %s", side, side, channels, commas(flat)),
	})
	hiddenParams := flat*c.Hidden + c.Hidden
	layers = append(layers, Layer{
		Name: "dense", Type: "Dense", Output: []int{c.Hidden}, Params: hiddenParams,
		Arithmetic: fmt.Sprintf("%s·%d+%d = %s", commas(flat), c.Hidden, c.Hidden, commas(hiddenParams)),
	})
	outParams := c.Hidden*fashion.NumClasses + fashion.NumClasses
	layers = append(layers, Layer{
		Name: "dense_1", Type: "Dense", Output: []int{fashion.NumClasses}, Params: outParams,
		Arithmetic: fmt.Sprintf("%d·%d+%d = %s", c.Hidden, fashion.NumClasses, fashion.NumClasses, commas(outParams)),
	})
	return layers
}

// commas formats n with thousands separators, as Keras does: 243,786.
func commas(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + commas(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
