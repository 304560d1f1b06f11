// Package viz is the notebook display of the "convolutions" lesson: image
// galleries, the confusion matrix, grids of activations and kernels, the
// live training chart, the model's summary as HTML, the hand-made
// convolution of the "what a convolution does" demo, and exercise checks.
//
// Values are computed first and shown second. [Gallery], [SummaryHTML] and
// [Confusion.HTML] return HTML; [ActivationGrid], [FilterGrid], [KernelGrid]
// and [Heatmap] return an [image.Image]. The Show… functions ([ShowHTML],
// [ShowImage], [ShowImages], [ShowSummary]) and [LiveChart] only display
// such values inside a GoNB notebook and do nothing elsewhere (inside GoNB),
// so tests and the terminal command use the same functions. Outputs are PNG
// images or inline HTML and SVG, never JavaScript, so they survive saving
// the notebook and render offline.
//
// The words viz shows (class names, captions, chart labels, the summary's
// header, Check's "not yet") are English, or Simplified Chinese when the
// environment variable LESSON_LANG is "zh", as the Chinese notebooks'
// kernel gonb-lesson-go-zh sets it: a notebook's code is the same in both
// editions, so the language comes from the kernel. That variable is the
// only one viz reads, and only for these words.
//
// viz reads what package lesson computes (tensors, the summary table, the
// training history) and the data of package fashion; package lesson never
// imports viz.
package viz
